#!/usr/bin/python3
"""Side-by-side benchmark of imgpipe against its peers on the tutorial's job
(256x256 fill, grayscale, JPEG q75), single thread, writing bench/RESULTS.md and bench/results.png.

Every in-process peer is a long-running process that holds the corpus in memory and speaks the
line protocol of bench/peers/peer_protocol.h, so start-up is excluded. The tools run interleaved
in rounds (A B C ... A B C ...), and ratios are computed within each round before taking the
median, because the machines are noisy.

The machine is shared (2 cores, other jobs compiling), so by default every timed process runs
under SCHED_FIFO (`chrt -f 10`), which approximates the dedicated vCPU a Lambda sandbox has; the
kernel's RT throttling (95%) keeps the rest of the machine alive. --no-fifo turns it off.

usage: bench/run.py BUILD_DIR [--rounds N] [--out bench/RESULTS.md] [--no-fifo]
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
TUTORIAL = "pillow"
# "Within a few gray levels of the tutorial's": JPEG q75 alone accounts for 2-3.7 (facts.md).
FAIR_MAX_MEAN_ABS_DIFF = 6.0
# Timed processes are prefixed with this (set in main() when SCHED_FIFO is permitted).
PREFIX = []


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
        self.proc = subprocess.Popen(PREFIX + argv + [corpus], stdin=subprocess.PIPE,
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


# A class pass of a fast tool takes a few ms (6 small images in 5 ms), so one interruption by
# another process swings a round; each round repeats a tool's pass until it has run this long
# (or MAX_REPS times) and keeps the median pass.
MIN_SECONDS_PER_MEASURE = 0.25
MAX_REPS = 15


def measure(peer, cls):
    """Median over repeated passes of the mean ms per image of one class."""
    samples = []
    start = time.perf_counter()
    while True:
        samples.append(statistics.mean(peer.call(f"run {cls}")))
        if len(samples) >= MAX_REPS or time.perf_counter() - start >= MIN_SECONDS_PER_MEASURE:
            return statistics.median(samples)


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
                    times[name][cls].append(measure(peer, cls))
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
                subprocess.run(PREFIX + ["convert", f, "-resize", "256x256!", "-colorspace", "Gray",
                                "-quality", "75", os.path.join(out, "o.jpg")], check=True)
                ms.append((time.perf_counter() - start) * 1000)
            per_round.append(statistics.mean(ms))
        result[cls] = statistics.median(per_round)
    shutil.rmtree(out)
    return result


# The class's files, each linked this many times (60 large JPEGs, ~0.8 s for one worker). A
# short batch measures its tail, not throughput: the last image (13-25 ms) leaves one of two
# workers idle, which cost ~0.15x of the scaling on 24 files (bench/NOTES.md).
CLI_COPIES = 10


def cli_throughput(build, corpus, cls, rounds=5):
    """images/s of `imgpipe process --jobs 1` and `--jobs 2` over a batch of the class's files
    (each linked CLI_COPIES times, so 2 workers are not left idle by a 6-file batch), run
    alternately, median of rounds. Includes process start-up and file I/O."""
    batch = tempfile.mkdtemp(prefix="imgpipe-bench-cli-in-")
    files = []
    for copy in range(CLI_COPIES):
        for f in class_files(corpus, cls):
            link = os.path.join(batch, f"{copy}_{os.path.basename(f)}")
            os.symlink(os.path.abspath(f), link)
            files.append(link)
    rates = {1: [], 2: []}
    for _ in range(rounds):
        for jobs in (1, 2):
            out = tempfile.mkdtemp(prefix="imgpipe-bench-cli-")
            start = time.perf_counter()
            subprocess.run(PREFIX + [os.path.join(build, "bin", "imgpipe"), "process", "--jobs",
                                     str(jobs), "-o", out] + files, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rates[jobs].append(len(files) / (time.perf_counter() - start))
            shutil.rmtree(out)
    shutil.rmtree(batch)
    return {"jobs1": statistics.median(rates[1]), "jobs2": statistics.median(rates[2]),
            "scaling": statistics.median(b / a for a, b in zip(rates[1], rates[2])),
            "files": len(files)}


def peak_rss_mib(argv, stdin_text=None):
    """Peak RSS of one process, from GNU time's %M. Not wait4 on our own child: Linux carries a
    process's RSS high-water mark across execve (into ru_maxrss), so a child forked from this
    Python would report at least Python's own ~18 MiB. /usr/bin/time is small, and the process
    it forks inherits only that."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        proc = subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%M"] + argv,
                              input=stdin_text or "", text=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} exited with {proc.returncode}")
        return int(report.read().split()[-1]) / 1024.0


def rss_table(build, corpus, tools):
    """Peak RSS while processing one 24 MP baseline JPEG: the xlarge class's largest file."""
    xl = max(class_files(corpus, "xlarge"), key=os.path.getsize)
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
    return rss, f"{os.path.basename(xl)}, {os.path.getsize(xl) / 2**20:.1f} MiB"


def fairness(outputs):
    """Every tool's output must be 256x256, 1 channel, and close to the tutorial's."""
    rows = []
    for name, d in outputs.items():
        if name == "floor":
            continue
        diffs, bad = [], []
        for cls in CLASSES:
            for f in sorted(os.listdir(os.path.join(d, cls))):
                with Image.open(os.path.join(d, cls, f)) as ours, \
                        Image.open(os.path.join(outputs[TUTORIAL], cls, f)) as tutorial:
                    if ours.size != (256, 256) or ours.mode != "L":
                        bad.append(f"{cls}/{f}: {ours.size} {ours.mode}")
                        continue
                    a, b = ours.tobytes(), tutorial.tobytes()
                    diffs.append(sum(abs(x - y) for x, y in zip(a, b)) / len(a))
        if not diffs:
            bad.append("no output compared")
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
    load = open("/proc/loadavg").read().split()[:3]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if "model name" in l), "?")
    return {
        "machine": f"{cpu}, {os.cpu_count()} cores, {platform.platform()}",
        "load average at the end of the run (1, 5, 15 min)": " ".join(load),
        "scheduling": "SCHED_FIFO priority 10 (`chrt -f 10`) for every timed process"
                      if PREFIX else "normal (SCHED_FIFO not permitted or --no-fifo)",
        "Pillow": PIL.__version__,
        "sharp": run(["node", "-p", f"require('{HERE}/node_modules/sharp/package.json').version"]),
        "libvips": run(["vips", "--version"]),
        "ImageMagick": run(["convert", "-version"]).splitlines()[0] if run(["convert", "-version"]) else "?",
        "libjpeg-turbo": run(["dpkg-query", "-W", "-f=${Version}", "libjpeg62-turbo"]),
        "libspng": run(["dpkg-query", "-W", "-f=${Version}", "libspng0"]),
        "libwebp": run(["dpkg-query", "-W", "-f=${Version}", "libwebp7"]),
        "compiler": run(["c++", "--version"]).splitlines()[0],
        "source": "git " + (run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]) or "?"),
    }


# Targets from the benchmark issue: (class, max imgpipe/floor ratio).
FLOOR_TARGETS = {"small": 1.5, "medium": 1.5, "large": 1.15, "xlarge": 1.15, "progressive": 1.1,
                 "png": 1.2, "webp": 1.2}


def write_results(path, args, times, im_ms, cli, rss, fair, ver, rss_file):
    med = {t: {c: statistics.median(v) for c, v in cs.items()} for t, cs in times.items()}
    tools = [t for t in times if t != "imgpipe"]
    lines = ["# imgpipe benchmark results", "",
             f"Generated by `make bench` (`bench/run.py {args.build} --rounds {args.rounds}`) on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "The job is the tutorial's: 256x256 `fill`, grayscale, JPEG q75. Single thread. Every "
             "in-process tool holds the inputs in memory in one long-running process; tools run "
             f"interleaved in {args.rounds} rounds (within a round each tool repeats its pass "
             f"over the class for at least {MIN_SECONDS_PER_MEASURE} s, up to {MAX_REPS} times, "
             "and keeps the median pass); ratios are computed within each round, then the median "
             "is taken.", "",
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
              "| class | imgpipe / floor | target | met | tutorial Pillow / imgpipe |",
              "|---|---|---|---|---|"]
    for c in CLASSES:
        r = median_ratio(times["imgpipe"][c], times["floor"][c])
        lines.append(f"| {c} | {r:.3f} | <= {FLOOR_TARGETS[c]} | "
                     f"{'yes' if r <= FLOOR_TARGETS[c] else '**no**'} | "
                     f"{median_ratio(times['pillow'][c], times['imgpipe'][c]):.1f}x |")
    # The output is always 256x256, so resize + encode + setup is a fixed cost per image: on the
    # small class it is what imgpipe spends beyond the decode floor.
    fixed = statistics.median(a - b for a, b in zip(times["imgpipe"]["small"],
                                                    times["floor"]["small"]))
    lines += ["", f"Fixed per-image cost (imgpipe minus the floor on the small class, median of "
              f"rounds): {fixed:.3f} ms (target < 0.5 ms: {'met' if fixed < 0.5 else '**not met**'})."]
    lines += ["", "## CLI and parallelism (large class)", "",
              f"A batch of {cli['files']} large JPEGs (the class's files, each linked "
              f"{CLI_COPIES} times), `--jobs 1` and `--jobs 2` run alternately, median of 5 "
              "rounds; process start-up and file I/O included.", "",
              f"- `imgpipe process --jobs 1`: {cli['jobs1']:.1f} images/s "
              f"({1000 / cli['jobs1']:.1f} ms per image)",
              f"- `imgpipe process --jobs 2`: {cli['jobs2']:.1f} images/s, "
              f"{cli['scaling']:.2f}x the single-job throughput (median of per-round ratios; "
              f"target >= 1.8x: {'met' if cli['scaling'] >= 1.8 else '**not met**'})", "",
              f"## Peak RSS processing one 24 MP baseline JPEG ({rss_file})", "",
              "Target: <= 16 MiB for the whole CLI process.", "",
              "| tool | peak RSS MiB |", "|---|---|"]
    for k, v in rss.items():
        lines.append(f"| {k} | {v:.1f} |")
    lines += ["", "Peak RSS from GNU time (`%M`). Peers other than the CLI and ImageMagick are "
              "measured as their bench peer process holding just that one image.", "",
              "## Fairness: every output is 256x256, 1 channel, close to the tutorial's", "",
              "Each tool's saved outputs (every class) against the tutorial's (Pillow, tutorial code): "
              f"mean absolute difference per image in gray levels; fair when every output is "
              f"256x256 `L` and the worst image is within {FAIR_MAX_MEAN_ABS_DIFF:.0f} levels. "
              "The floor writes raw pixels, not a thumbnail, so it is not compared.", "",
              "| tool | max mean-abs-diff vs the tutorial (gray levels) | mean | wrong shape | fair |",
              "|---|---|---|---|---|"]
    for name, mx, mean, bad in fair:
        ok = not bad and mx <= FAIR_MAX_MEAN_ABS_DIFF
        lines.append(f"| {name} | {mx:.2f} | {mean:.2f} | {len(bad)} | "
                     f"{'yes' if ok else '**no**: ' + '; '.join(bad[:3])} |")
    lines += ["", "![chart](results.png)", ""]
    extra = os.path.join(HERE, "NOTES.md")
    if os.path.exists(extra):
        lines += open(extra).read().splitlines()
    # Other helpers' benchmarks (their own scripts write these): folded in as sections.
    for sub, title in (("e2e", "End-to-end (local stack)"), ("cold_start", "Cold start"),
                       ("variants", "Variants: three outputs of one upload (issue 11)")):
        sub_results = os.path.join(HERE, sub, "RESULTS.md")
        if os.path.exists(sub_results):
            body = open(sub_results).read().splitlines()
            if body and body[0].startswith("# "):
                body = body[1:]  # their title becomes our section heading
            lines += ["", f"## {title} (from bench/{sub}/RESULTS.md)", ""]
            lines += [("#" + l) if l.startswith("## ") else l for l in body]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return med


def chart(med, rss, png):
    """Two panels: ms per image per class and tool (log scale), and peak RSS on one 24 MP JPEG."""
    data = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False)
    tools = list(med.keys())
    data.write("# class " + " ".join(tools) + "\n")
    for c in CLASSES:
        data.write(c + " " + " ".join(f"{med[t][c]:.3f}" for t in tools) + "\n")
    data.close()
    mem = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False)
    for i, (name, mib) in enumerate(rss.items()):
        mem.write(f'{i} "{name}" {mib:.1f}\n')
    mem.close()
    plots = ", ".join(f"'{data.name}' using {i + 2}:xtic(1) title '{t}'" for i, t in enumerate(tools))
    script = (f"set terminal pngcairo size 1500,560 noenhanced\nset output '{png}'\n"
              "set multiplot layout 1,2 columnsfirst\n"
              "set lmargin 10\nset size 0.64,1\nset origin 0,0\n"
              "set style data histograms\nset style histogram clustered gap 1\n"
              "set style fill solid border -1\nset logscale y\nset ylabel 'ms per image (log)'\n"
              "set title 'ms per image: 256x256 fill, gray, JPEG q75, single thread'\n"
              "set key top left\nset grid ytics\n"
              f"plot {plots}\n"
              "unset logscale y\nset size 0.36,1\nset origin 0.64,0\n"
              "set style data boxes\nset boxwidth 0.7\nset ylabel 'MiB'\n"
              "set title 'peak RSS, one 24 MP baseline JPEG'\nset xtics rotate by -35\n"
              "set logscale y\nunset key\n"
              f"plot '{mem.name}' using 1:3:xtic(2) with boxes lc rgb '#4477aa', "
              f"'' using 1:3:(sprintf('%.0f', $3)) with labels offset 0,0.7\n"
              "unset multiplot\n")
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data.name)
    os.unlink(mem.name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--no-fifo", action="store_true", help="do not use SCHED_FIFO")
    args = ap.parse_args()
    if not args.no_fifo and subprocess.run(["chrt", "-f", "10", "true"],
                                           capture_output=True).returncode == 0:
        PREFIX.extend(["chrt", "-f", "10"])
    corpus = os.path.join(HERE, "corpus")
    tools = peers(args.build)
    times, outputs = timed_rounds(tools, corpus, args.rounds)
    im = imagemagick_ms(corpus, max(1, args.rounds // 3))
    cli = cli_throughput(args.build, corpus, "large")
    rss, rss_file = rss_table(args.build, corpus, tools)
    fair = fairness(outputs)
    med = write_results(args.out, args, times, im, cli, rss, fair, versions(), rss_file)
    chart(med, rss, os.path.join(HERE, "results.png"))
    for d in outputs.values():
        shutil.rmtree(d)
    print(open(args.out).read())


if __name__ == "__main__":
    main()
