"""Running the built imgpipe binary from the Python test suites."""

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageStat


@dataclass
class Run:
    returncode: int      # negative when killed by a signal (a crash)
    stdout: str
    stderr: str
    max_rss_kib: int     # peak resident set size of this child alone


def run(argv, timeout=120):
    """Runs argv under /usr/bin/time to get its own peak RSS. (A child's ru_maxrss from
    os.wait4 would include the Python process it was forked from: Linux keeps the high-water
    mark across exec. /usr/bin/time is small, so its child starts small.)"""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = os.path.join(tmp, "rss")
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + list(argv),
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout)
        with open(rss_file) as f:
            lines = f.read().split()
        # time writes "Command terminated by signal N" before %M when the child was killed.
        killed = [l for l in lines if l.isdigit()]
        rss = int(killed[-1]) if killed else -1
        code = proc.returncode
        text = " ".join(lines)
        if "signal" in text:
            code = -int(text.split("signal")[1].split()[0])
        return Run(code, proc.stdout.decode(errors="replace"),
                   proc.stderr.decode(errors="replace"), rss)


def mean_abs_diff(a, b):
    """Mean absolute difference of two same-size single-channel images, in gray levels."""
    assert a.size == b.size, (a.size, b.size)
    return ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]


def open_loaded(path):
    im = Image.open(path)
    im.load()
    return im


class Failures:
    """Collects every failed check so one run reports all of them, then fails."""

    def __init__(self):
        self.items = []

    def check(self, ok, message):
        if not ok:
            self.items.append(message)
            print("FAIL:", message)

    def finish(self):
        sys.stdout.flush()  # the table first, then the failures (stderr) in ctest's log
        if self.items:
            raise SystemExit("%d check(s) failed:\n  %s" % (len(self.items), "\n  ".join(self.items)))
        print("all checks passed")
