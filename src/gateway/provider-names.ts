/** Provider names: prompty's spellings mapped onto opm's. A leaf, so options and targets can share it. */

const PROVIDER_ALIASES: Record<string, string> = {
  azure: 'azure_openai',
  foundry: 'azure_openai',
  'azure-openai': 'azure_openai',
  openai_compatible: 'openai-compatible',
  compatible: 'openai-compatible',
};

/** Maps prompty's provider names (`azure`, `foundry`) onto opm's. */
export function canonicalProvider(name: string): string {
  const lower = name.trim().toLowerCase();
  return PROVIDER_ALIASES[lower] ?? lower;
}
