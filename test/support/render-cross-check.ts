import { setRenderCrossCheck } from '../../src/prompty/render/nunjucks-env.js';

// Setup file of the `render-cross-check` project: the prompty suites run again with every
// closure-compiled render checked against nunjucks, so any difference fails the test that made it.
setRenderCrossCheck(true);
