#!/usr/bin/python3
"""Issue 11's variants benchmark: three outputs of one upload, side by side, in one run.

Timed per image, interleaved in rounds (ratios within a round, then the median), on the 12 MP
(`large`) and 24 MP (`xlarge`) JPEG classes of bench/corpus:
  one        imgpipe, the three variants in one ProcessVariants call (one decode)
  separate   imgpipe, one Process call per variant (three decodes, as three separate runs)
  sharp      sharp, the three from one input buffer with clone(), same settings
  one_accurate    `one` with shrink_on_load accurate on every variant
Targets: one / separate <= 0.5; sharp / one > 1 (imgpipe faster).

Peak RSS (whole CLI process, GNU time %M) of `imgpipe process --variants` with the three against
the single 2048 variant alone, on every 24 MP JPEG, alternating in the same run. Target <= 2x.

Shrink-on-load `accurate` against `fast` on the tutorial's job (256x256 fill, gray, JPEG q75) on
every class of the corpus: ms per image (interleaved) and fidelity, the mean absolute gray
difference per image to the tutorial's own output (Pillow, bench/peers/pillow_peer.py tutorial),
as bench/run.py's Fairness section measures it.

usage: bench/variants/variants_bench.py BUILD_DIR [--rounds N] [--corpus DIR] [--out FILE]
                                        [--no-fifo] [--smoke]
--smoke makes a tiny corpus (two small JPEGs per class) and runs one round without writing
results: the ctest `bench.variants_smoke` uses it so the script cannot rot. Without sharp
(bench/node_modules) it exits 77 (skipped), or fails under CI=true.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image, ImageChops

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, BENCH)
import run as main_bench  # noqa: E402  (Peer, measure, peak RSS and versions: one definition)

# The three variants, exactly as a user writes them; missing fields take the
# function-wide defaults (include/imgpipe/options.h: fill, JPEG q75, grayscale true).
VARIANTS_JSON = json.dumps([
    {"name": "thumb", "size": [256, 256], "fit": "cover", "format": "webp", "quality": 80},
    {"name": "large", "size": [2048, 2048], "fit": "inside", "without_enlargement": True},
    {"name": "bw", "size": [512, 512], "grayscale": True, "prefix": "gray/"},
])
# The same with every default spelled out, for sharp (which has other defaults).
DEFAULTS = {"fit": "fill", "format": "jpeg", "quality": 75, "grayscale": True,
            "without_enlargement": False}
VARIANTS = [{**DEFAULTS, **v} for v in json.loads(VARIANTS_JSON)]
SINGLE_JSON = json.dumps([v for v in json.loads(VARIANTS_JSON) if v["name"] == "large"])
VARIANT_CLASSES = ["large", "xlarge"]  # 12 MP and 24 MP baseline JPEG
TARGET_ONE_OVER_SEPARATE = 0.5
TARGET_RSS_RATIO = 2.0


def variant_tools(build):
    peer = os.path.join(build, "bin", "variants_peer")
    return {
        "one": [peer, "one", "fast", VARIANTS_JSON],
        "separate": [peer, "separate", "fast", VARIANTS_JSON],
        "sharp": ["node", os.path.join(BENCH, "peers", "sharp_variants_peer.js"),
                  json.dumps(VARIANTS)],
        "one_accurate": [peer, "one", "accurate", VARIANTS_JSON],
        # The 2048 variant by itself: what `one` cannot go below, since it makes that output too.
        "large_only": [peer, "one", "fast", SINGLE_JSON],
    }


def shrink_tools(build):
    peer = os.path.join(build, "bin", "variants_peer")
    return {"fast": [peer, "tutorial", "fast", VARIANTS_JSON],
            "accurate": [peer, "tutorial", "accurate", VARIANTS_JSON]}


def phases(peer, cls):
    """decode/resize/encode ms per image of one pass, from the core's StepTimings."""
    peer.proc.stdin.write(f"run {cls}\n")
    peer.proc.stdin.flush()
    reply = json.loads(peer.proc.stdout.readline())
    n = len(reply["ms"])
    return [p / n for p in reply["phases_ms"]] + [statistics.mean(reply["ms"])]


def timed(tools, corpus, classes, rounds, save_dir):
    """times[tool][cls] = per-round mean ms per image; then each tool saves its outputs."""
    running = {}
    try:
        for name, argv in tools.items():
            running[name] = main_bench.Peer(name, argv, corpus)
        for cls in classes:  # warm-up: page in code and data, discard
            for peer in running.values():
                peer.call(f"run {cls}")
        times = {name: {cls: [] for cls in classes} for name in running}
        for r in range(rounds):
            for cls in classes:
                for name, peer in running.items():
                    times[name][cls].append(main_bench.measure(peer, cls))
            print(f"variants bench: round {r + 1}/{rounds} done", file=sys.stderr)
        split = {}
        for name, peer in running.items():
            if not name.startswith("sharp"):
                split[name] = {cls: phases(peer, cls) for cls in classes}
            for cls in classes:
                d = os.path.join(save_dir, name, cls)
                os.makedirs(d, exist_ok=True)
                peer.call(f"save {cls} {d}")
        return times, split
    finally:
        for peer in running.values():
            peer.close()


def gray_diff(path_a, path_b):
    """Mean absolute difference in gray levels, or None when the sizes differ."""
    with Image.open(path_a) as a, Image.open(path_b) as b:
        if a.size != b.size:
            return None
        a, b = a.convert("L").tobytes(), b.convert("L").tobytes()
        return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def is_gray(im):
    """One channel, or three equal ones (a WebP is always YUV: within its rounding)."""
    if im.mode in ("L", "LA"):
        return True
    r, g, b = im.convert("RGB").split()
    return max(ImageChops.difference(r, g).getextrema()[1],
               ImageChops.difference(g, b).getextrema()[1]) <= 3


def expected_size(width, height, v):
    """The output size imgpipe's and sharp's fit rules give (docs/options.md)."""
    tw, th = v["size"]
    if v["fit"] in ("fill", "cover"):
        return tw, th
    scale = min(tw / width, th / height)
    if v["without_enlargement"]:
        scale = min(scale, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def check_outputs(save_dir, corpus, classes, tools):
    """Every output of every tool has its variant's size and is gray; returns, per variant, the
    worst mean-abs gray difference of each tool against `one` (what the bench compares is the
    same work), and the list of problems."""
    problems, worst = [], {}
    for cls in classes:
        for f in main_bench.class_files(corpus, cls):
            stem = os.path.splitext(os.path.basename(f))[0]
            with Image.open(f) as src:
                w, h = src.size
            for v in VARIANTS:
                ext = "webp" if v["format"] == "webp" else "jpg"
                ref = os.path.join(save_dir, "one", cls, f"{stem}.{v['name']}.{ext}")
                for tool in tools:
                    out = os.path.join(save_dir, tool, cls, f"{stem}.{v['name']}.{ext}")
                    if not os.path.exists(out):
                        problems.append(f"{tool} {cls}/{stem}.{v['name']}: missing")
                        continue
                    with Image.open(out) as im:
                        size, colour = im.size, not is_gray(im)
                    want = expected_size(w, h, v)
                    if abs(size[0] - want[0]) > 1 or abs(size[1] - want[1]) > 1:
                        problems.append(f"{tool} {cls}/{stem}.{v['name']}: {size}, want {want}")
                        continue
                    if v["grayscale"] and colour:
                        problems.append(f"{tool} {cls}/{stem}.{v['name']}: not gray")
                    if tool != "one":
                        d = gray_diff(out, ref)
                        if d is not None:
                            key = (tool, v["name"])
                            worst[key] = max(worst.get(key, 0.0), d)
    return worst, problems


def rss_rounds(build, corpus, rounds):
    """Peak RSS MiB of the whole CLI process: three variants vs the single 2048 variant, per
    24 MP file, alternating; median over rounds (GNU time's %M, run.py's peak_rss_mib)."""
    cli = os.path.join(build, "bin", "imgpipe")
    files = main_bench.class_files(corpus, "xlarge")
    rss = {f: {"three": [], "single": []} for f in files}
    out = tempfile.mkdtemp(prefix="imgpipe-varbench-rss-")
    try:
        for _ in range(rounds):
            for f in files:
                for label, spec in (("three", VARIANTS_JSON), ("single", SINGLE_JSON)):
                    rss[f][label].append(main_bench.peak_rss_mib(
                        [cli, "process", "--jobs", "1", "--overwrite", "--variants", spec, f,
                         "-o", out]))
    finally:
        shutil.rmtree(out)
    return {f: {k: statistics.median(v) for k, v in r.items()} for f, r in rss.items()}


def fidelity(save_dir, corpus, classes, tools):
    """fid[tool][cls] = (max, mean) mean-abs gray difference per image to the tutorial's."""
    fid = {}
    for tool in tools:
        fid[tool] = {}
        for cls in classes:
            diffs, names = [], []
            for f in sorted(os.listdir(os.path.join(save_dir, "pillow", cls))):
                d = gray_diff(os.path.join(save_dir, tool, cls, f),
                              os.path.join(save_dir, "pillow", cls, f))
                if d is None:
                    raise RuntimeError(f"{tool} {cls}/{f}: not the tutorial's size")
                diffs.append(d)
                names.append(os.path.splitext(f)[0])
            fid[tool][cls] = (max(diffs), statistics.mean(diffs), names[diffs.index(max(diffs))])
    return fid


def save_tutorial(corpus, classes, save_dir):
    """The tutorial's own outputs (Pillow, the tutorial's code), once: the fidelity reference."""
    peer = main_bench.Peer("pillow", ["/usr/bin/python3",
                                      os.path.join(BENCH, "peers", "pillow_peer.py"),
                                      "tutorial"], corpus)
    try:
        for cls in classes:
            d = os.path.join(save_dir, "pillow", cls)
            os.makedirs(d, exist_ok=True)
            peer.call(f"save {cls} {d}")
    finally:
        peer.close()


def make_smoke_corpus(root):
    """Two small JPEGs per class (a gradient with noise): enough to run every step."""
    for cls in VARIANT_CLASSES + ["small"]:
        os.makedirs(os.path.join(root, cls))
        for i, (w, h) in enumerate([(640, 427), (300, 500)]):
            grad = Image.linear_gradient("L").resize((w, h))
            noise = Image.effect_noise((w, h), 40)
            rgb = Image.merge("RGB", [grad, noise, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
            rgb.save(os.path.join(root, cls, f"{i:02d}_smoke.jpg"), quality=90)


def med(values):
    return statistics.median(values)


def report(args, classes, shrink_classes, vt, vsplit, worst, problems, rss, st, fid, ver):
    r = main_bench.median_ratio
    lines = [f"# Variants: three outputs of one upload (issue 11)", "",
             f"Generated by `bench/variants/run.sh` (`bench/variants/variants_bench.py "
             f"{args.build} --rounds {args.rounds}`) on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "The variants (`--variants` / `VARIANTS`; missing fields take the function-wide "
             "defaults, so all three are **gray** and `large` and `bw` are JPEG q75):", "",
             "```json", VARIANTS_JSON, "```", "",
             "Single thread; each tool is a long-running process holding the class in memory "
             "(start-up excluded), tools interleaved in rounds, ratios taken within a round, "
             f"median over {args.rounds} rounds. `one`: imgpipe's `ProcessVariants` (one decode "
             "at the scale the 2048 variant needs); `separate`: one `Process` per variant (three "
             "decodes, each at its own scale, as three separate runs); `sharp`: `sharp(input)` "
             "and one `clone()` per variant, awaited one after another, concurrency 1, cache "
             "off (each clone is its own libvips pipeline, so sharp decodes once per variant); "
             "`one_accurate`: `one` with `shrink_on_load: accurate`; `large_only`: the 2048 "
             "variant by itself, the least `one` can cost. The 24 MP class is mostly upscaled "
             "from smaller photos (bench/make_corpus.py).", "",
             "## Machine", ""]
    lines += [f"- load average at the start of the run (1, 5, 15 min): {args.load_at_start}"]
    lines += [f"- {k}: {v}" for k, v in ver.items()]
    lines += ["", "## ms per image (median of rounds)", "",
              "| class | one | separate | one / separate | target | sharp | sharp / one | target | "
              "one_accurate | accurate / fast | large_only | large_only / separate |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in classes:
        a_b = r(vt["one"][c], vt["separate"][c])
        s_a = r(vt["sharp"][c], vt["one"][c])
        lines.append(
            f"| {c} | {med(vt['one'][c]):.1f} | {med(vt['separate'][c]):.1f} | {a_b:.2f} | "
            f"<= {TARGET_ONE_OVER_SEPARATE} {'met' if a_b <= TARGET_ONE_OVER_SEPARATE else '**not met**'} | "
            f"{med(vt['sharp'][c]):.1f} | {s_a:.2f} | > 1 {'met' if s_a > 1 else '**not met**'} | "
            f"{med(vt['one_accurate'][c]):.1f} | {r(vt['one_accurate'][c], vt['one'][c]):.2f} | "
            f"{med(vt['large_only'][c]):.1f} | {r(vt['large_only'][c], vt['separate'][c]):.2f} |")
    lines += ["", "Where imgpipe's time goes (ms per image, one extra pass after the rounds, from "
              "the core's own step timings: decode = header + decode; resize = grayscale + "
              "resize; encode):", "",
              "| class | tool | decode | resize | encode | total |", "|---|---|---|---|---|---|"]
    for c in classes:
        for tool in vsplit:
            d, rz, e, total = vsplit[tool][c]
            lines.append(f"| {c} | {tool} | {d:.1f} | {rz:.1f} | {e:.1f} | {total:.1f} |")
    lines += ["", "Same work check: every output of every tool has its variant's size (within a "
              "pixel) and is gray" + (": **problems**: " + "; ".join(problems[:5])
                                       if problems else ": yes.") +
              " Worst mean-abs gray difference per image against `one`'s output:", "",
              "(sharp resamples with Lanczos3 and makes gray with libvips' `b-w`, not Rec. 601 "
              "luma, so its outputs differ more.)", "",
              "| tool | " + " | ".join(v["name"] for v in VARIANTS) + " |",
              "|---|" + "---|" * len(VARIANTS)]
    for tool in [t for t in vt if t not in ("one", "large_only")]:
        lines.append(f"| {tool} | " + " | ".join(
            f"{worst[(tool, v['name'])]:.2f}" if (tool, v["name"]) in worst else "-"
            for v in VARIANTS) + " |")
    worst_rss = max(v["three"] / v["single"] for v in rss.values())
    lines += ["", "## Peak RSS: three variants against the single 2048 variant (24 MP JPEGs)", "",
              "Whole `imgpipe process --jobs 1` process, GNU time `%M`, the two runs alternating "
              "per file, median of rounds. The single variant is `large` alone "
              f"(`--variants '{SINGLE_JSON}'`).", "",
              "| file | MiB (file) | single 2048 MiB | three MiB | three / single |",
              "|---|---|---|---|---|"]
    for f, v in rss.items():
        lines.append(f"| {os.path.basename(f)} | {os.path.getsize(f) / 2**20:.1f} | "
                     f"{v['single']:.1f} | {v['three']:.1f} | {v['three'] / v['single']:.2f} |")
    lines += ["", f"Worst ratio {worst_rss:.2f} (target <= {TARGET_RSS_RATIO}: "
              f"{'met' if worst_rss <= TARGET_RSS_RATIO else '**not met**'})."]
    lines += ["", "## Shrink on load: `accurate` against `fast` (the tutorial's job, every class)",
              "", "256x256 fill, gray, JPEG q75 (imgpipe's defaults), `fast` and `accurate` "
              "interleaved. Fidelity: mean absolute gray difference per image to the tutorial's "
              "own output (Pillow, the tutorial's code), max and mean over the class.", "",
              "| class | fast ms | accurate ms | accurate / fast | fast max diff | fast mean | "
              "accurate max diff | accurate mean | worst image (fast) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for c in shrink_classes:
        lines.append(f"| {c} | {med(st['fast'][c]):.2f} | {med(st['accurate'][c]):.2f} | "
                     f"{r(st['accurate'][c], st['fast'][c]):.2f} | {fid['fast'][c][0]:.2f} | "
                     f"{fid['fast'][c][1]:.2f} | {fid['accurate'][c][0]:.2f} | "
                     f"{fid['accurate'][c][1]:.2f} | {fid['fast'][c][2]} |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rss-rounds", type=int, default=3)
    ap.add_argument("--corpus", default=os.path.join(BENCH, "corpus"))
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--no-fifo", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    args.load_at_start = " ".join(open("/proc/loadavg").read().split()[:3])
    if not os.path.isdir(os.path.join(BENCH, "node_modules", "sharp")):
        msg = "variants bench: sharp is missing (bench/node_modules): run scripts/setup.sh bench"
        print(msg, file=sys.stderr)
        sys.exit(1 if os.environ.get("CI") == "true" or not args.smoke else 77)
    if not args.no_fifo and subprocess.run(["chrt", "-f", "10", "true"],
                                           capture_output=True).returncode == 0:
        main_bench.PREFIX.extend(["chrt", "-f", "10"])
    tmp = tempfile.mkdtemp(prefix="imgpipe-varbench-")
    try:
        corpus = args.corpus
        if args.smoke:
            corpus = os.path.join(tmp, "corpus")
            make_smoke_corpus(corpus)
            args.rounds, args.rss_rounds = 1, 1
            main_bench.MIN_SECONDS_PER_MEASURE, main_bench.MAX_REPS = 0, 1
        shrink_classes = sorted(d for d in os.listdir(corpus)
                                if os.path.isdir(os.path.join(corpus, d)))
        shrink_classes = [c for c in main_bench.CLASSES if c in shrink_classes] + \
            [c for c in shrink_classes if c not in main_bench.CLASSES]
        save = os.path.join(tmp, "out")
        vt, vsplit = timed(variant_tools(args.build), corpus, VARIANT_CLASSES, args.rounds, save)
        worst, problems = check_outputs(save, corpus, VARIANT_CLASSES,
                                        [t for t in variant_tools(args.build) if t != "large_only"])
        rss = rss_rounds(args.build, corpus, args.rss_rounds)
        st, _ = timed(shrink_tools(args.build), corpus, shrink_classes, args.rounds, save)
        save_tutorial(corpus, shrink_classes, save)
        fid = fidelity(save, corpus, shrink_classes, shrink_tools(args.build))
        lines = report(args, VARIANT_CLASSES, shrink_classes, vt, vsplit, worst, problems, rss,
                       st, fid, main_bench.versions())
        text = "\n".join(lines) + "\n"
        if problems:
            print(text)
            sys.exit("variants bench: outputs are not the same work: " + "; ".join(problems[:5]))
        if not args.smoke:
            with open(args.out, "w") as f:
                f.write(text)
        print(text)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
