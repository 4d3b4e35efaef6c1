#!/usr/bin/env bash
# Loads a spectrum report in headless Chromium and checks it really renders:
#   - the DOM after load holds at least MIN_SVG <svg> elements (default 6: one per chart);
#   - a full-page screenshot is not blank (many distinct colours, not all white).
#
# Usage: .ci/browser-check.sh REPORT.html [MIN_SVG]
# Needs Debian's chromium (apt-get install -y chromium) and python3 (stdlib only).
# The screenshot is kept beside the report as REPORT.png for a human to look at.
set -euo pipefail

report="${1:?usage: .ci/browser-check.sh REPORT.html [MIN_SVG]}"
min_svg="${2:-6}"
[ -f "$report" ] || { echo "browser-check: no such file '$report'" >&2; exit 2; }
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "browser-check: '$chromium' not found; apt-get install -y chromium" >&2; exit 2; }

abs="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
url="file://$abs"
png="${abs%.html}.png"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

# Flags: no sandbox (CI runs as root), no GPU, and nothing that phones home: the page
# must render offline, so any background network traffic would only hide a problem.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile")

dom="$(timeout 120 "$chromium" "${flags[@]}" --dump-dom "$url" 2>/dev/null)"
svgs="$({ grep -o '<svg' <<<"$dom" || true; } | wc -l)"
echo "browser-check: $svgs <svg> elements in the rendered DOM (need >= $min_svg)"
if [ "$svgs" -lt "$min_svg" ]; then
    echo "browser-check: FAIL: too few charts in the rendered page" >&2
    exit 1
fi
grep -q '</html>\|</body>' <<<"$dom" || { echo "browser-check: FAIL: DOM incomplete" >&2; exit 1; }

# Laptop width; tall enough to include the headline chart and the next sections.
timeout 120 "$chromium" "${flags[@]}" --window-size=1366,3000 --screenshot="$png" "$url" \
    >/dev/null 2>&1
[ -s "$png" ] || { echo "browser-check: FAIL: no screenshot written" >&2; exit 1; }

# Decode the PNG with the standard library and count distinct colours on a grid of
# sample points: a blank page has one (white), a page with text and charts dozens.
python3 - "$png" <<'PY'
import struct, sys, zlib

path = sys.argv[1]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("browser-check: FAIL: screenshot is not a PNG")
pos, idat, width = 8, b"", 0
while pos < len(data):
    (n,) = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
if depth != 8 or ctype not in (2, 6):
    sys.exit(f"browser-check: FAIL: unexpected PNG format depth={depth} type={ctype}")
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
colours, non_white = set(), 0
for y in range(0, height, 7):
    for x in range(0, width, 7):
        px = tuple(rows[y][x * bpp:x * bpp + 3])
        colours.add(px)
        non_white += px != (255, 255, 255)
samples = ((height + 6) // 7) * ((width + 6) // 7)
share = non_white / samples
print(f"browser-check: screenshot {width}x{height}, {len(colours)} colours sampled, {share:.1%} non-white")
if len(colours) < 10 or share < 0.01:
    sys.exit("browser-check: FAIL: the screenshot looks blank")
PY
echo "browser-check: OK ($png)"
