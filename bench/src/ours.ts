/**
 * Our packages are loaded at run time, so the benchmark still runs (and says "not measured"
 * with the reason) when one of them is not built or does not export what a scenario needs.
 */
// biome-ignore lint/suspicious/noExplicitAny: the shapes are checked at run time
export type Loaded = { ok: true; mod: any } | { ok: false; reason: string };

const cache = new Map<string, Promise<Loaded>>();

export function loadOurs(pkg: string, names: string[]): Promise<Loaded> {
  const key = `${pkg}:${names.join(",")}`;
  let found = cache.get(key);
  if (!found) {
    found = (async (): Promise<Loaded> => {
      try {
        const mod = await import(pkg);
        const missing = names.filter((name) => typeof mod[name] !== "function");
        if (missing.length > 0) {
          return {
            ok: false,
            reason: `${pkg} does not export ${missing.join(", ")} yet (run \`pnpm build\`)`,
          };
        }
        return { ok: true, mod };
      } catch (error) {
        return {
          ok: false,
          reason: `${pkg} could not be loaded: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
        };
      }
    })();
    cache.set(key, found);
  }
  return found;
}
