"""IMGPIPE_TRIGGER=sqs: S3 → queue → event source mapping → the real bootstrap, in batches.

Only the messages the function names in batchItemFailures come back (after the visibility
timeout); the others are deleted. A permanent failure (a corrupt image) is logged and not
reported, so it is not retried. A message received max_receive_count times goes to the
dead-letter file. A crashed invocation makes the whole batch visible again."""
import json
import os
import re
import signal
import unittest

from local_stack import LocalStack, check_output_image, make_photo, wait_until

RUNTIMES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtimes")


def sqs_env(**settings):
    env = {"IMGPIPE_TRIGGER": "sqs"}
    env.update({f"IMGPIPE_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def batches(st):
    """The event source mapping's journal: one entry per batch handed to the function."""
    path = os.path.join(st.state_dir, "logs", "sqs-batches.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def records_for(st, key):
    """The function's own log lines (one per record handled) for this input key."""
    return [r for r in st.worker_log_records() if r.get("key") == key and r.get("outcome")]


class SqsTrigger(unittest.TestCase):
    def test_partial_batch_failure_returns_only_the_transient_message(self):
        good, corrupt, flaky = "sqs/good.jpg", "sqs/corrupt.jpg", "sqs/flaky.jpg"
        # One batch of exactly these three: the mapping waits (up to 3 s) for 3 messages.
        env = sqs_env(sqs_batch_size=3, sqs_batch_window_s=3, sqs_visibility_timeout_s=1,
                      test_fail_put_key=flaky, test_fail_put_invocations=1)
        photo = make_photo((800, 600), seed=1)
        with LocalStack("sqs-partial", env=env) as st:
            st.put(good, photo)
            st.put(corrupt, photo[:200] + bytes(range(256)) * 8)
            st.put(flaky, make_photo((640, 480), seed=2))
            st.wait_outputs([good, flaky], timeout=60)
            st.wait_idle(timeout=30)

            first, *rest = batches(st)
            ids = {m["key"]: m["messageId"] for m in first["messages"]}
            self.assertEqual(set(ids), {good, corrupt, flaky}, first)
            self.assertEqual({m["receiveCount"] for m in first["messages"]}, {1})
            # The function answered (no function error) with batchItemFailures = [flaky].
            self.assertIsNone(first["functionError"])
            self.assertFalse(first["wholeBatchFailed"])
            self.assertEqual(first["failed"], [ids[flaky]])
            self.assertEqual(set(first["deleted"]), {ids[good], ids[corrupt]})
            # Only the transient one came back, once, on its second receive, and then succeeded.
            self.assertEqual(len(rest), 1, rest)
            self.assertEqual(rest[0]["messages"], [{"messageId": ids[flaky], "receiveCount": 2, "key": flaky}])
            self.assertEqual(rest[0]["deleted"], [ids[flaky]])
            self.assertEqual(rest[0]["failed"], [])

            # The function's view: the good image once, the corrupt one logged once as a
            # permanent failure (not reported, so not retried), the flaky one failed then done.
            (g,) = records_for(st, good)
            self.assertEqual((g["outcome"], g["source"], g["source_id"]), ("processed", "sqs", ids[good]))
            (c,) = records_for(st, corrupt)
            self.assertEqual(c["outcome"], "failed_permanent")
            self.assertEqual(c["source_id"], ids[corrupt])
            self.assertIn(c["error_code"], {"corrupt_image", "truncated_image"})
            self.assertTrue(c["reason"])
            f1, f2 = records_for(st, flaky)
            self.assertEqual((f1["outcome"], f1["error_code"]), ("failed_transient", "storage_error"))
            self.assertEqual(f2["outcome"], "processed")
            self.assertEqual({f1["source_id"], f2["source_id"]}, {ids[flaky]})
            # Every PUT attempt of the first invocation was refused (the S3 client's own retries
            # included), and none of the second's.
            refused = re.findall(rf"PUT /{st.output_bucket}/{flaky} → 500 \(invocation ([^,]+),",
                                 st.log("s3.log"))
            self.assertGreaterEqual(len(refused), 2, "the S3 client retried within the invocation")
            self.assertEqual(len(set(refused)), 1, refused)

            self.assertEqual(sorted(st.output_keys()), sorted([good, flaky]))
            check_output_image(self, st, good)
            check_output_image(self, st, flaky)
            self.assertEqual(st.dead_letters(), [])
            sqs = st.status()["sqs"]
            self.assertEqual((sqs["batches"], sqs["received"], sqs["deleted"], sqs["returned"]), (2, 4, 3, 1))
            self.assertEqual((sqs["queued"], sqs["deadLettered"]), (0, 0))

    def test_always_failing_message_is_dead_lettered_after_max_receive_count(self):
        doomed, fine = "sqs/doomed.jpg", "sqs/fine.png"
        env = sqs_env(sqs_batch_size=10, sqs_batch_window_s=0.3, sqs_visibility_timeout_s=0.6,
                      sqs_max_receive_count=3, test_fail_put_key=doomed,
                      test_fail_put_invocations=1000)
        with LocalStack("sqs-dlq", env=env) as st:
            st.put(doomed, make_photo(seed=3))
            st.put(fine, make_photo(seed=4, fmt="PNG"))
            wait_until(st.dead_letters, 60, "the dead letter")
            st.wait_idle(timeout=30)
            (letter,) = st.dead_letters()
            ctx = letter["requestContext"]
            self.assertEqual(ctx["condition"], "MaxReceiveCountExceeded")
            self.assertEqual(ctx["approximateReceiveCount"], 3)
            self.assertRegex(ctx["eventSourceARN"], r"^arn:aws:sqs:us-east-1:\d{12}:imgpipe-events$")
            self.assertRegex(ctx["deadLetterQueueARN"], r"^arn:aws:sqs:us-east-1:\d{12}:imgpipe-dead-letters$")
            # The S3 event where direct delivery's dead letters have it, and the SQS message.
            self.assertEqual(letter["requestPayload"]["Records"][0]["s3"]["object"]["key"], doomed)
            msg = letter["message"]
            self.assertEqual(json.loads(msg["body"]), letter["requestPayload"])
            self.assertEqual(msg["attributes"]["ApproximateReceiveCount"], "3")
            self.assertEqual(letter["responsePayload"], {"reason": "reported in batchItemFailures"})

            deliveries = [m for b in batches(st) for m in b["messages"] if m["key"] == doomed]
            self.assertEqual([m["receiveCount"] for m in deliveries], [1, 2, 3])
            self.assertEqual({m["messageId"] for m in deliveries}, {msg["messageId"]})
            self.assertEqual([r["outcome"] for r in records_for(st, doomed)], ["failed_transient"] * 3)
            self.assertEqual([r["outcome"] for r in records_for(st, fine)], ["processed"])
            self.assertEqual(st.output_keys(), ["sqs/fine.jpg"])
            sqs = st.status()["sqs"]
            self.assertEqual((sqs["queued"], sqs["deadLettered"]), (0, 1))

    def test_crashed_invocation_returns_the_whole_batch(self):
        victim, other = "slow/victim.jpg", "slow/other.jpg"
        env = sqs_env(sqs_batch_size=2, sqs_batch_window_s=3, sqs_visibility_timeout_s=4,
                      test_slow_get_prefix="slow/", test_slow_get_ms=1500)
        with LocalStack("sqs-crash", env=env) as st:
            st.put(victim, make_photo(seed=5))
            st.put(other, make_photo(seed=6))
            busy = wait_until(lambda: [w for w in st.status()["workers"] if w["state"] == "busy"],
                              20, "a worker to pick up the batch")[0]
            os.kill(busy["pid"], signal.SIGKILL)
            st.wait_outputs([victim, other], timeout=60)
            st.wait_idle(timeout=30)
            first, second = batches(st)
            self.assertEqual(first["functionError"]["errorType"], "Runtime.ExitError")
            self.assertTrue(first["wholeBatchFailed"])
            self.assertEqual(first["deleted"], [])
            ids = {m["messageId"] for m in first["messages"]}
            self.assertEqual(len(ids), 2)
            self.assertEqual(set(first["failed"]), ids)
            # After the visibility timeout, both messages again, in one batch, on receive 2.
            self.assertEqual({m["messageId"] for m in second["messages"]}, ids)
            self.assertEqual({m["receiveCount"] for m in second["messages"]}, {2})
            self.assertEqual(set(second["deleted"]), ids)
            for key in (victim, other):
                check_output_image(self, st, key)
            self.assertEqual(st.dead_letters(), [])

    def test_timed_out_batches_end_in_the_dead_letter_file(self):
        # A stand-in runtime that never answers: every delivery times out.
        env = sqs_env(sqs_batch_size=2, sqs_batch_window_s=2, sqs_visibility_timeout_s=1.5,
                      sqs_max_receive_count=2, bootstrap=os.path.join(RUNTIMES, "hang.py"))
        with LocalStack("sqs-timeout", workers=1, timeout_s=1, env=env) as st:
            st.put("t/a.jpg", b"x")
            st.put("t/b.jpg", b"y")
            wait_until(lambda: len(st.dead_letters()) == 2, 60, "two dead letters")
            st.wait_idle(timeout=30)
            runs = batches(st)
            self.assertEqual(len(runs), 2, runs)
            for run, receive in zip(runs, (1, 2)):
                self.assertEqual(run["functionError"]["errorType"], "Sandbox.Timedout")
                self.assertEqual(sorted(m["key"] for m in run["messages"]), ["t/a.jpg", "t/b.jpg"])
                self.assertEqual({m["receiveCount"] for m in run["messages"]}, {receive})
            for letter in st.dead_letters():
                self.assertEqual(letter["requestContext"]["approximateReceiveCount"], 2)
                self.assertEqual(letter["responsePayload"]["errorType"], "Sandbox.Timedout")


if __name__ == "__main__":
    unittest.main()
