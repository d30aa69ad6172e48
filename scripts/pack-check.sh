#!/usr/bin/env bash
# The package proved from the outside (issue 11): build, `npm pack`, install the tarball into a fresh project outside
# the repository, and there
#   (a) type-check with tsc --strict, then run, a TypeScript file that imports `tsgan` and `tsgan/node`: the README's
#       library example plus a 300-iteration 2-D run through trainRun, openGan, sampleGan and evaluateRun;
#   (b) bundle a page with Vite from `import … from "tsgan"` and train a tiny GAN in it in headless Chromium;
#   (c) `npx tsgan train --dataset ring-2d --steps 50` from the installed package (the compiled CLI), and --version.
# Prints the tarball's size and the time taken. Run by .ci/run after the tests; `npm run pack-check` by hand.
# The tools of the fresh project (TypeScript, Vite, playwright-core, @types/node) are the repository's own versions,
# installed --prefer-offline: `npm ci` has put them in npm's cache. TSGAN_SKIP_NATIVE=1 skips the native build at
# install, as for any install; by default it builds when libdnnl-dev is there, as a user's install would.
# TSGAN_PACK_CHECK_KEEP=1 keeps the temporary project (its path is printed) to look into a failure.
set -euo pipefail
repository="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tsgan-pack-check-XXXXXX")"
if [ "${TSGAN_PACK_CHECK_KEEP:-}" = 1 ]; then echo "pack-check: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
started=$SECONDS
step() { echo "pack-check: $* ($((SECONDS - started)) s)"; }
version_of() { node -p "require('$repository/node_modules/$1/package.json').version"; }

cd "$repository"
step "building dist/"
npm run --silent build
# The build just ran; --ignore-scripts keeps prepack from running it twice.
pack_json="$(npm pack --ignore-scripts --json --pack-destination "$work")"
tarball="$work/$(node -e 'const [p] = JSON.parse(process.argv[1]); console.log(p.filename)' "$pack_json")"
node -e 'const [p] = JSON.parse(process.argv[1]);
  console.log(`pack-check: ${p.filename}: ${(p.size / 1e6).toFixed(2)} MB packed, ${(p.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${p.entryCount} files`);
  const stray = p.files.map((f) => f.path).filter((f) => /^(src|test|web|bench|docs|scripts)\//.test(f));
  if (stray.length) { console.error(`pack-check: the tarball holds files that do not run: ${stray.join(", ")}`); process.exit(1); }' "$pack_json"

project="$work/project"
mkdir -p "$project"
cd "$project"
printf '{ "name": "tsgan-pack-check", "private": true, "type": "module" }\n' > package.json
step "installing the tarball into $project"
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball" \
  "typescript@$(version_of typescript)" "vite@$(version_of vite)" \
  "playwright-core@$(version_of playwright-core)" "@types/node@$(version_of @types/node)"

step "(a) tsc --strict on the README example + a tsgan/node run"
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "types": ["node"],
    "strict": true,
    "outDir": "build"
  },
  "files": ["check.ts"]
}
JSON
{
  (cd "$repository" && npx --no-install tsx scripts/readmeExample.ts README.md)
  cat "$repository/scripts/pack-check/check.ts"
} > check.ts
# Strict, with the libraries' declarations skipped: check.ts against tsgan's types. Then the declarations too: only
# TF.js's own may fail there (they do not pass a strict lib check: `Long` undeclared, tfjs-layers' index signatures).
npx --no-install tsc -p tsconfig.json --skipLibCheck
declaration_errors="$(npx --no-install tsc -p tsconfig.json --noEmit --pretty false | grep -o '^[^ (][^(]*' | sort -u || true)"
if grep -v '^node_modules/@tensorflow/' <<< "$declaration_errors" | grep -q .; then
  echo "pack-check: type errors in: $(grep -v '^node_modules/@tensorflow/' <<< "$declaration_errors" | tr '\n' ' ')" >&2
  exit 1
fi
TMPDIR="$work" node build/check.js # its run directory lands in $work, removed at exit

step "(b) a Vite bundle of tsgan training in headless Chromium"
mkdir -p web
cp "$repository/scripts/pack-check/index.html" "$repository/scripts/pack-check/page.ts" web/
npx --no-install vite build web --outDir dist --emptyOutDir --logLevel error
cp "$repository/scripts/pack-check/browser.mjs" .
browser_result="$(node browser.mjs "$project/web/dist")"
echo "pack-check (b): $browser_result"
node -e 'const r = JSON.parse(process.argv[1]);
  const ok = !r.error && r.errors.length === 0 && r.steps === 50 && r.finiteLosses && r.samples === 200 && r.finiteSamples;
  if (!ok) { console.error("pack-check (b) failed"); process.exit(1); }' "$browser_result"

step "(c) npx tsgan from the installed package"
installed_version="$(npx --no-install tsgan --version)"
expected_version="$(node -p "require('$repository/package.json').version")"
[ "$installed_version" = "$expected_version" ] || { echo "pack-check: tsgan --version says $installed_version, not $expected_version" >&2; exit 1; }
npx --no-install tsgan train --dataset ring-2d --steps 50 --out "$work/cli-run"
node -e 'const s = require(process.argv[1]); if (s.state !== "done" || s.step !== 50) { console.error(`pack-check (c): status ${JSON.stringify(s)}`); process.exit(1); }' "$work/cli-run/status.json"

step "passed"
