#!/usr/bin/python3
"""Side-by-side benchmark of imgpipe against its peers on the seed's job
(256x256 fill, grayscale, JPEG q75), single thread, writing bench/RESULTS.md and bench/results.png.

Every in-process peer is a long-running process that holds the corpus in memory and speaks the
line protocol of bench/peers/peer_protocol.h, so start-up is excluded. The tools run interleaved
in rounds (A B C ... A B C ...), and ratios are computed within each round before taking the
median, because the machines are noisy.

usage: bench/run.py BUILD_DIR [--rounds N] [--out bench/RESULTS.md]
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLASSES = ["small", "medium", "large", "xlarge", "progressive", "png", "webp"]
SEED = "pillow"


def peers(build):
    bin_dir = os.path.join(build, "bin")
    py = "/usr/bin/python3"
    return {
        "imgpipe": [os.path.join(bin_dir, "imgpipe_peer")],
        "floor": [os.path.join(bin_dir, "floor_peer")],
        "pillow": [py, os.path.join(HERE, "peers", "pillow_peer.py"), "tutorial"],
        "pillow_draft": [py, os.path.join(HERE, "peers", "pillow_peer.py"), "draft"],
        "sharp": ["node", os.path.join(HERE, "peers", "sharp_peer.js")],
        "libvips": [os.path.join(bin_dir, "vips_peer")],
    }


class Peer:
    def __init__(self, name, argv, corpus):
        self.name = name
        self.proc = subprocess.Popen(argv + [corpus], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def call(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if not reply.get("ok", False):
            raise RuntimeError(f"{self.name} failed on '{line}': {reply}")
        return reply["ms"]

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout=30)


def class_files(corpus, cls):
    d = os.path.join(corpus, cls)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if not f.endswith(".json"))


def timed_rounds(tools, corpus, rounds):
    """times[tool][cls] = list (per round) of mean ms per image."""
    running = {name: Peer(name, argv, corpus) for name, argv in tools.items()}
    try:
        for cls in CLASSES:  # warm-up: page in code and data, discard
            for peer in running.values():
                peer.call(f"run {cls}")
        times = {name: {cls: [] for cls in CLASSES} for name in running}
        for r in range(rounds):
            for cls in CLASSES:
                for name, peer in running.items():
                    ms = peer.call(f"run {cls}")
                    times[name][cls].append(statistics.mean(ms))
            print(f"bench: round {r + 1}/{rounds} done", file=sys.stderr)
        outputs = {}
        for name, peer in running.items():
            outputs[name] = tempfile.mkdtemp(prefix=f"imgpipe-bench-{name}-")
            for cls in CLASSES:
                os.makedirs(os.path.join(outputs[name], cls), exist_ok=True)
                peer.call(f"save {cls} {os.path.join(outputs[name], cls)}")
        return times, outputs
    finally:
        for peer in running.values():
            peer.close()


def median_ratio(num, den):
    return statistics.median(a / b for a, b in zip(num, den))


def imagemagick_ms(corpus, rounds):
    """ImageMagick `convert`, one process per file (how it is used), so start-up is included."""
    result = {}
    out = tempfile.mkdtemp(prefix="imgpipe-bench-im-")
    for cls in CLASSES:
        per_round = []
        for _ in range(rounds):
            ms = []
            for f in class_files(corpus, cls):
                start = time.perf_counter()
                subprocess.run(["convert", f, "-resize", "256x256!", "-colorspace", "Gray",
                                "-quality", "75", os.path.join(out, "o.jpg")], check=True)
                ms.append((time.perf_counter() - start) * 1000)
            per_round.append(statistics.mean(ms))
        result[cls] = statistics.median(per_round)
    shutil.rmtree(out)
    return result


def cli_batch(build, corpus, cls, jobs, rounds=3):
    """Seconds for `imgpipe process --jobs N` over a class, median of rounds; returns images/s."""
    files = class_files(corpus, cls)
    rates = []
    for _ in range(rounds):
        out = tempfile.mkdtemp(prefix="imgpipe-bench-cli-")
        start = time.perf_counter()
        subprocess.run([os.path.join(build, "bin", "imgpipe"), "process", "--jobs", str(jobs),
                        "-o", out] + files, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        rates.append(len(files) / (time.perf_counter() - start))
        shutil.rmtree(out)
    return statistics.median(rates)


def peak_rss_mib(argv, stdin_text=None):
    """Peak RSS of one child process (and nothing else), via wait4."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True)
    if stdin_text:
        proc.stdin.write(stdin_text)
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{argv[0]} exited with {status}")
    return usage.ru_maxrss / 1024.0


def rss_table(build, corpus, tools):
    """Peak RSS while processing one 24 MP baseline JPEG."""
    xl = class_files(corpus, "xlarge")[0]
    one = tempfile.mkdtemp(prefix="imgpipe-bench-rss-")
    os.makedirs(os.path.join(one, "x"))
    shutil.copy(xl, os.path.join(one, "x"))
    out = tempfile.mkdtemp(prefix="imgpipe-bench-rss-out-")
    rss = {"imgpipe CLI (whole process)": peak_rss_mib(
        [os.path.join(build, "bin", "imgpipe"), "process", "--jobs", "1", xl, "-o", out])}
    for name, argv in tools.items():
        rss[name] = peak_rss_mib(argv + [one], "run x\nquit\n")
    rss["imagemagick"] = peak_rss_mib(["convert", xl, "-resize", "256x256!", "-colorspace", "Gray",
                                       "-quality", "75", os.path.join(out, "im.jpg")])
    shutil.rmtree(one)
    shutil.rmtree(out)
    return rss


def fairness(outputs):
    """Every tool's output must be 256x256, 1 channel, and close to the seed's."""
    rows = []
    for name, d in outputs.items():
        if name == "floor":
            continue
        diffs, bad = [], []
        for cls in CLASSES:
            for f in sorted(os.listdir(os.path.join(d, cls))):
                with Image.open(os.path.join(d, cls, f)) as ours, \
                        Image.open(os.path.join(outputs[SEED], cls, f)) as seed:
                    if ours.size != (256, 256) or ours.mode != "L":
                        bad.append(f"{cls}/{f}: {ours.size} {ours.mode}")
                        continue
                    a, b = ours.tobytes(), seed.tobytes()
                    diffs.append(sum(abs(x - y) for x, y in zip(a, b)) / len(a))
        rows.append((name, max(diffs) if diffs else float("nan"),
                     statistics.mean(diffs) if diffs else float("nan"), bad))
    return rows


def versions():
    def run(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
        except OSError:
            return "?"
    import PIL
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if "model name" in l), "?")
    return {
        "machine": f"{cpu}, {os.cpu_count()} cores, {platform.platform()}",
        "Pillow": PIL.__version__,
        "sharp": run(["node", "-p", f"require('{HERE}/node_modules/sharp/package.json').version"]),
        "libvips": run(["vips", "--version"]),
        "ImageMagick": run(["convert", "-version"]).splitlines()[0] if run(["convert", "-version"]) else "?",
        "libjpeg-turbo": run(["dpkg-query", "-W", "-f=${Version}", "libjpeg62-turbo"]),
        "libspng": run(["dpkg-query", "-W", "-f=${Version}", "libspng0"]),
        "libwebp": run(["dpkg-query", "-W", "-f=${Version}", "libwebp7"]),
        "compiler": run(["c++", "--version"]).splitlines()[0],
    }


# Targets from the benchmark issue: (class, max imgpipe/floor ratio).
FLOOR_TARGETS = {"small": 1.5, "medium": 1.5, "large": 1.15, "xlarge": 1.15, "progressive": 1.1,
                 "png": 1.2, "webp": 1.2}


def write_results(path, args, times, im_ms, cli, rss, fair, ver):
    med = {t: {c: statistics.median(v) for c, v in cs.items()} for t, cs in times.items()}
    tools = [t for t in times if t != "imgpipe"]
    lines = ["# imgpipe benchmark results", "",
             f"Generated by `make bench` (`bench/run.py {args.build} --rounds {args.rounds}`) on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "The job is the seed's: 256x256 `fill`, grayscale, JPEG q75. Single thread. Every "
             "in-process tool holds the inputs in memory in one long-running process; tools run "
             f"interleaved in {args.rounds} rounds; ratios are computed within each round, then "
             "the median is taken.", "",
             "Corpus: real photographs from Debian's wallpaper packages, resized per class "
             "(bench/make_corpus.py). The xlarge class is upscaled from smaller photos except "
             "one native 24 MP photo.", "", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in ver.items()]
    lines += ["", "## Median ms per image", "",
              "| tool | " + " | ".join(CLASSES) + " |", "|---|" + "---|" * len(CLASSES)]
    for t in ["imgpipe"] + tools:
        lines.append(f"| {t} | " + " | ".join(f"{med[t][c]:.2f}" for c in CLASSES) + " |")
    lines.append("| imagemagick (process per file) | " +
                 " | ".join(f"{im_ms[c]:.1f}" for c in CLASSES) + " |")
    lines += ["", "## Ratio tool / imgpipe (median of per-round ratios; > 1 means imgpipe is faster)",
              "", "| tool | " + " | ".join(CLASSES) + " |", "|---|" + "---|" * len(CLASSES)]
    for t in tools:
        lines.append(f"| {t} | " + " | ".join(
            f"{median_ratio(times[t][c], times['imgpipe'][c]):.2f}" for c in CLASSES) + " |")
    lines += ["", "## Targets (imgpipe / floor, median of per-round ratios)", "",
              "| class | imgpipe / floor | target | met | seed Pillow / imgpipe |",
              "|---|---|---|---|---|"]
    for c in CLASSES:
        r = median_ratio(times["imgpipe"][c], times["floor"][c])
        lines.append(f"| {c} | {r:.3f} | <= {FLOOR_TARGETS[c]} | "
                     f"{'yes' if r <= FLOOR_TARGETS[c] else '**no**'} | "
                     f"{median_ratio(times['pillow'][c], times['imgpipe'][c]):.1f}x |")
    lines += ["", "## CLI and parallelism (large class)", "",
              f"- `imgpipe process --jobs 1`: {cli['jobs1']:.1f} images/s "
              f"({1000 / cli['jobs1']:.1f} ms per image including file I/O)",
              f"- `imgpipe process --jobs 2`: {cli['jobs2']:.1f} images/s, "
              f"{cli['jobs2'] / cli['jobs1']:.2f}x the single-job throughput (target >= 1.8x: "
              f"{'met' if cli['jobs2'] / cli['jobs1'] >= 1.8 else '**not met**'})", "",
              "## Peak RSS processing one 24 MP baseline JPEG", "",
              "| tool | peak RSS MiB |", "|---|---|"]
    for k, v in rss.items():
        lines.append(f"| {k} | {v:.1f} |")
    lines += ["", "Peers other than the CLI and ImageMagick are measured as their bench peer "
              "process holding just that one image.", "",
              "## Fairness: every output is 256x256, 1 channel, close to the seed's", "",
              "| tool | max mean-abs-diff vs seed (gray levels) | mean | wrong shape |",
              "|---|---|---|---|"]
    for name, mx, mean, bad in fair:
        lines.append(f"| {name} | {mx:.2f} | {mean:.2f} | {len(bad)} |")
    lines += ["", "![chart](results.png)", ""]
    extra = os.path.join(HERE, "NOTES.md")
    if os.path.exists(extra):
        lines += open(extra).read().splitlines()
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return med


def chart(med, im_ms, png):
    data = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False)
    tools = list(med.keys())
    data.write("class " + " ".join(tools) + "\n")
    for c in CLASSES:
        data.write(c + " " + " ".join(f"{med[t][c]:.3f}" for t in tools) + "\n")
    data.close()
    plots = ", ".join(f"'{data.name}' using {i + 2}:xtic(1) title '{t}'" for i, t in enumerate(tools))
    script = (f"set terminal pngcairo size 1100,550\nset output '{png}'\n"
              "set style data histograms\nset style histogram clustered gap 1\n"
              "set style fill solid border -1\nset logscale y\nset ylabel 'ms per image (log)'\n"
              "set title 'imgpipe vs peers: 256x256 fill, gray, JPEG q75, single thread'\n"
              "set key outside right\nset grid ytics\n"
              f"plot {plots}\n")
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data.name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    args = ap.parse_args()
    corpus = os.path.join(HERE, "corpus")
    tools = peers(args.build)
    times, outputs = timed_rounds(tools, corpus, args.rounds)
    im = imagemagick_ms(corpus, max(1, args.rounds // 3))
    cli = {"jobs1": cli_batch(args.build, corpus, "large", 1),
           "jobs2": cli_batch(args.build, corpus, "large", 2)}
    rss = rss_table(args.build, corpus, tools)
    fair = fairness(outputs)
    med = write_results(args.out, args, times, im, cli, rss, fair, versions())
    chart(med, im, os.path.join(HERE, "results.png"))
    for d in outputs.values():
        shutil.rmtree(d)
    print(open(args.out).read())


if __name__ == "__main__":
    main()
