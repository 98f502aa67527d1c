"""The opm HTTP client: the same verbs as the TypeScript SDK, over the standard library only."""

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Iterator, List, Mapping, Optional

from .errors import ConnectionFailedError, NotFoundError, OpmError, RateLimitedError, RunTimeoutError, error_from_response
from .sse import ServerSentEvent, read_events

JSON = Dict[str, Any]

_RUN_OPTION_NAMES = {
    "label": "label",
    "version": "version",
    "assignment_key": "assignmentKey",
    "model": "model",
    "priority": "priority",
    "delay_ms": "delayMs",
    "attempts": "attempts",
    "idempotency_key": "idempotencyKey",
    "metadata": "metadata",
    "tags": "tags",
}


def _run_options(options: Mapping[str, Any]) -> JSON:
    """Maps snake_case keyword options to the API's camelCase fields, refusing unknown ones."""
    out: JSON = {}
    for name, value in options.items():
        if value is None:
            continue
        if name in _RUN_OPTION_NAMES:
            out[_RUN_OPTION_NAMES[name]] = value
        elif name in _RUN_OPTION_NAMES.values():
            out[name] = value
        else:
            raise TypeError("unknown run option {!r}".format(name))
    return out


class Client:
    """A client of ``opm serve``.

    >>> opm = Client("http://localhost:8080", api_key=os.environ["OPM_API_KEY"])
    >>> run = opm.run("acme/support/triage", {"ticket": "My order is late"})
    >>> print(run["text"])
    """

    def __init__(self, base_url: str, api_key: str, timeout: float = 30.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        if not api_key:
            raise ValueError("api_key is required")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        # Never the key.
        return "Client({!r})".format(self.base_url)

    # -- runs ---------------------------------------------------------------------------------

    def enqueue(self, slug: str, variables: Optional[Mapping[str, Any]] = None, **options: Any) -> str:
        """Enqueues one run and returns its job id (options: label, model, priority, delay_ms, ...)."""
        body = self._request("POST", "/v1/runs", self._run_body(slug, variables, options))
        return body["jobId"]

    def enqueue_many(self, items: List[Mapping[str, Any]]) -> List[str]:
        """Enqueues many runs in one request. Each item is ``{"slug", "vars", "options"?}``; ids in order."""
        payload = [
            self._run_body(item["slug"], item.get("vars"), item.get("options") or {}) for item in items
        ]
        return self._request("POST", "/v1/runs:batch", {"items": payload})["jobIds"]

    def run(
        self, slug: str, variables: Optional[Mapping[str, Any]] = None, timeout_ms: int = 60000, **options: Any
    ) -> JSON:
        """Runs a prompt and waits for it (``wait=true``); returns the finished run.

        Raises MissingVariableError (422), NotFoundError (404), RunTimeoutError (504) or ServerError.
        """
        query = urllib.parse.urlencode({"wait": "true", "timeoutMs": timeout_ms})
        return self._request(
            "POST", "/v1/runs?" + query, self._run_body(slug, variables, options), timeout=timeout_ms / 1000 + 10
        )

    def get_run(self, job_id: str) -> Optional[JSON]:
        """The finished run, or None while it is queued or running."""
        try:
            return self._request("GET", "/v1/runs/" + urllib.parse.quote(job_id, safe=""))
        except NotFoundError:
            return None

    def list_runs(self, **query: Any) -> JSON:
        """A page of runs: filters slug, status, label, after, before; limit; cursor (``nextCursor``)."""
        clean = {key: value for key, value in query.items() if value is not None}
        suffix = "?" + urllib.parse.urlencode(clean) if clean else ""
        return self._request("GET", "/v1/runs" + suffix)

    def feedback(self, job_id: str, score: float, comment: Optional[str] = None) -> JSON:
        """Records an end user's score (0 to 1) and comment on a run."""
        body: JSON = {"score": score}
        if comment is not None:
            body["comment"] = comment
        return self._request("POST", "/v1/runs/{}/feedback".format(urllib.parse.quote(job_id, safe="")), body)

    def wait_for_run(self, job_id: str, timeout_ms: int = 60000) -> JSON:
        """Waits for one run over server-sent events and returns it, completed or failed."""
        path = "/v1/runs/{}/events?timeoutMs={}".format(urllib.parse.quote(job_id, safe=""), timeout_ms)
        for event in self._stream(path, timeout=timeout_ms / 1000 + 10):
            if event.event in ("completed", "failed"):
                return json.loads(event.data)
            if event.event == "timeout":
                break
        raise RunTimeoutError("queue.run_timeout", "Run {} did not finish in time".format(job_id), 504, {"jobId": job_id})

    def iter_events(self, slug: Optional[str] = None, timeout_ms: int = 300000) -> Iterator[JSON]:
        """Yields every finished run from now on (of ``slug``, or under it when it ends in "/").

        The iterator ends after ``timeout_ms``; break out of it to stop earlier.
        """
        query: JSON = {"timeoutMs": timeout_ms}
        if slug is not None:
            query["slug"] = slug
        for event in self._stream("/v1/events?" + urllib.parse.urlencode(query), timeout=timeout_ms / 1000 + 30):
            if event.event in ("completed", "failed"):
                yield json.loads(event.data)

    # -- prompts and stats ---------------------------------------------------------------------

    def list_prompts(self, prefix: Optional[str] = None) -> JSON:
        suffix = "?" + urllib.parse.urlencode({"prefix": prefix}) if prefix else ""
        return self._request("GET", "/v1/prompts" + suffix)

    def get_prompt(self, slug: str) -> JSON:
        return self._request("GET", "/v1/prompts/" + urllib.parse.quote(slug, safe=""))

    def render(self, slug: str, variables: Optional[Mapping[str, Any]] = None) -> JSON:
        """Renders a prompt into chat messages without calling a model (editor role)."""
        path = "/v1/prompts/{}/render".format(urllib.parse.quote(slug, safe=""))
        return self._request("POST", path, {"vars": dict(variables or {})})

    def stats(self, slug: Optional[str] = None, since: Optional[str] = None, by: Optional[str] = None) -> JSON:
        """The figures of ``opm stats``: ``since`` an ISO time (default 24 h ago), ``by`` model, version or label."""
        query = {key: value for key, value in (("slug", slug), ("since", since), ("by", by)) if value}
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self._request("GET", "/v1/stats" + suffix)

    # -- labels and deployments (deployer role to change) -------------------------------------

    def list_labels(self, slug: str) -> JSON:
        return self._request("GET", "/v1/prompts/{}/labels".format(urllib.parse.quote(slug, safe="")))

    def deploy(self, slug: str, label: str, version: str, weight: Optional[int] = None, reason: Optional[str] = None) -> JSON:
        """Points ``label`` at ``version`` (or gives it ``weight`` percent of the traffic)."""
        body: JSON = {"label": label, "version": version}
        if weight is not None:
            body["weight"] = weight
        if reason is not None:
            body["reason"] = reason
        return self._request("POST", "/v1/prompts/{}/deploy".format(urllib.parse.quote(slug, safe="")), body)

    def rollback(self, slug: str, label: str, reason: Optional[str] = None) -> JSON:
        body: JSON = {"label": label}
        if reason is not None:
            body["reason"] = reason
        return self._request("POST", "/v1/prompts/{}/rollback".format(urllib.parse.quote(slug, safe="")), body)

    # -- plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _run_body(slug: str, variables: Optional[Mapping[str, Any]], options: Mapping[str, Any]) -> JSON:
        body: JSON = {"slug": slug, "vars": dict(variables or {})}
        mapped = _run_options(options)
        if mapped:
            body["options"] = mapped
        return body

    def _open(self, method: str, path: str, body: Optional[JSON], accept: str, timeout: float):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self._api_key)
        request.add_header("Accept", accept)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                parsed = json.loads(raw.decode("utf-8")) if raw else None
            except ValueError:
                parsed = None
            failure = error_from_response(error.code, parsed)
            if isinstance(failure, RateLimitedError) and error.headers.get("Retry-After"):
                failure.retry_after = float(error.headers["Retry-After"])
            raise failure from None
        except (urllib.error.URLError, socket.timeout, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise ConnectionFailedError("http.unreachable", "Cannot reach {}: {}".format(self.base_url, reason)) from None

    def _request(self, method: str, path: str, body: Optional[JSON] = None, timeout: Optional[float] = None) -> Any:
        with self._open(method, path, body, "application/json", timeout or self.timeout) as response:
            raw = response.read()
        return json.loads(raw.decode("utf-8")) if raw else None

    def _stream(self, path: str, timeout: float) -> Iterator[ServerSentEvent]:
        response = self._open("GET", path, None, "text/event-stream", timeout)
        try:
            for event in read_events(response):
                yield event
        finally:
            response.close()


__all__ = ["Client", "OpmError"]
