"""`local/stack.sh backfill` (what `make backfill` runs): objects uploaded while the bucket had no
notification (IMGPIPE_TRIGGER=none) get their outputs through S3 Batch Operations events (schema
2.0, one task per object), listed in chunks; the summary counts the result codes of the README's
table; --skip-existing skips what is done; TemporaryFailure tasks are tried again."""
import csv
import re
import unittest

from local_stack import LocalStack, check_output_image, make_photo, output_key

NO_TRIGGER = {"IMGPIPE_TRIGGER": "none"}


def summary(stdout):
    """The summary's counts by result code, and its 'done' line."""
    counts = dict(re.findall(r"^  (Succeeded|TemporaryFailure|PermanentFailure) +(\d+)$", stdout, re.M))
    done = re.search(r"^backfill: done in .*$", stdout, re.M)
    return {k: int(v) for k, v in counts.items()}, done.group(0) if done else ""


class Backfill(unittest.TestCase):
    def run_backfill(self, st, *flags, expect_rc=0):
        r = st.stack("backfill", *flags, check=False)
        self.assertEqual(r.returncode, expect_rc, f"{r.stdout}\n{r.stderr}")
        return r.stdout

    def test_objects_uploaded_without_notification_get_their_outputs(self):
        good = {
            "old/a.jpg": make_photo((900, 600), seed=1),
            "old/b.png": make_photo((500, 400), seed=2, fmt="PNG"),
            "old/with space+plus.jpg": make_photo((640, 480), seed=3),
            "old/nested/deep/é.webp": make_photo((300, 300), seed=4, fmt="WEBP"),
            "top.gif": make_photo((200, 150), seed=5, fmt="GIF"),
        }
        corrupt = "old/corrupt.jpg"
        with LocalStack("backfill", env=NO_TRIGGER) as st:
            st.put_many(list(good.items()))
            st.put(corrupt, b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
            st.put("old/readme.txt", b"not an image, outside the notification filter\n")
            # Nothing was delivered: the bucket has no notification.
            self.assertEqual(st.status()["invocations"], 0)
            self.assertEqual(st.output_keys(), [])
            self.assertIn("no notification", st.log("s3.log"))
            # A paginated listing works (s3rver's continuation tokens need Node's legacy OpenSSL).
            pages = list(st.s3.get_paginator("list_objects_v2").paginate(
                Bucket=st.input_bucket, PaginationConfig={"PageSize": 2}))
            self.assertEqual(len(pages), 4)
            self.assertEqual(sum(len(p.get("Contents", [])) for p in pages), 7)

            out = self.run_backfill(st, "--chunk-size", "3")
            counts, done = summary(out)
            self.assertEqual(counts, {"Succeeded": 5, "TemporaryFailure": 0, "PermanentFailure": 1}, out)
            self.assertIn("7 listed, 1 outside the notification filter, 0 skipped (output exists), "
                          "6 sent, 0 retried", done)
            self.assertEqual(len(re.findall(r"^backfill: chunk \d+: ", out, re.M)), 3, out)
            self.assertRegex(out, rf"  PermanentFailure {re.escape(corrupt)}: .*(corrupt_image|truncated_image)")
            want = sorted(output_key(k) for k in good)
            st.wait_outputs(want, timeout=10)
            self.assertEqual(sorted(st.output_keys()), want)
            for k in good:
                check_output_image(self, st, output_key(k))
            first = {k: st.s3.get_object(Bucket=st.output_bucket, Key=k)["Body"].read() for k in want}
            # The function saw S3 Batch Operations tasks, one per invocation.
            batch_records = [r for r in st.worker_log_records() if r.get("source") == "batch"]
            self.assertEqual(sorted(r["key"] for r in batch_records), sorted([*good, corrupt]))
            self.assertEqual(st.status()["invocations"], 6)
            report = re.search(r"^  report (.+)$", out, re.M).group(1)
            with open(report, newline="") as f:
                rows = list(csv.reader(f))
            self.assertEqual(len(rows), 6)
            by_code = {}
            for bucket, _key, _version, status, code, http, message in rows:
                self.assertEqual((bucket, http), (st.input_bucket, "200"))
                self.assertEqual(status, "succeeded" if code == "Succeeded" else "failed")
                by_code.setdefault(code, []).append(message)
            self.assertEqual(len(by_code["Succeeded"]), 5)
            self.assertEqual(len(by_code["PermanentFailure"]), 1)

            # --skip-existing: only the object without an output (the corrupt one) is sent again.
            out = self.run_backfill(st, "--skip-existing")
            counts, done = summary(out)
            self.assertEqual(counts, {"Succeeded": 0, "TemporaryFailure": 0, "PermanentFailure": 1}, out)
            self.assertIn("5 skipped (output exists), 1 sent", done)
            self.assertEqual(st.status()["invocations"], 7)

            # The default processes everything again, to the same bytes.
            out = self.run_backfill(st)
            self.assertEqual(summary(out)[0]["Succeeded"], 5, out)
            self.assertEqual(st.status()["invocations"], 13)
            for k in want:
                self.assertEqual(st.s3.get_object(Bucket=st.output_bucket, Key=k)["Body"].read(), first[k])

    def test_temporary_failures_are_retried_and_reported(self):
        flaky = "old/flaky.jpg"
        # The first two invocations that write its output get HTTP 500 on every PUT attempt.
        env = dict(NO_TRIGGER, IMGPIPE_TEST_FAIL_PUT_KEY=flaky, IMGPIPE_TEST_FAIL_PUT_INVOCATIONS="2")
        with LocalStack("backfill-temp", env=env) as st:
            st.put(flaky, make_photo(seed=7))
            st.put("old/ok.jpg", make_photo(seed=8))
            # No retry: the task stays a TemporaryFailure, and the exit status says so.
            out = self.run_backfill(st, "--retries", "0", expect_rc=1)
            self.assertEqual(summary(out)[0], {"Succeeded": 1, "TemporaryFailure": 1, "PermanentFailure": 0}, out)
            self.assertRegex(out, rf"  TemporaryFailure {flaky}: .*storage_error")
            self.assertEqual(st.output_keys(), ["old/ok.jpg"])
            # With retries: its first try (the second invocation) fails too, the retry succeeds.
            out = self.run_backfill(st, "--retries", "2", "--retry-delay-ms", "100")
            counts, done = summary(out)
            self.assertEqual(counts, {"Succeeded": 2, "TemporaryFailure": 0, "PermanentFailure": 0}, out)
            self.assertIn("2 sent, 1 retried", done)
            st.wait_outputs([flaky, "old/ok.jpg"], timeout=10)
            check_output_image(self, st, flaky)

    def test_usage_errors(self):
        with LocalStack("backfill-usage", env=NO_TRIGGER) as st:
            r = st.stack("backfill", "--chunk-size", "0", check=False)
            self.assertEqual(r.returncode, 2)
            self.assertIn("--chunk-size: expected an integer >= 1", r.stderr)
            r = st.stack("backfill", "--bogus", check=False)
            self.assertEqual(r.returncode, 2)
            self.assertIn("unknown option --bogus", r.stderr)
        # The stack is down now.
        r = st.stack("backfill", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("the local stack is not running", r.stderr)


if __name__ == "__main__":
    unittest.main()
