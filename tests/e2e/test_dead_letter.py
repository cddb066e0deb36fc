"""A persistently failing event (the output bucket does not exist: a transient S3 error to the
function) is retried twice with backoff, then lands in the dead-letter file as Lambda's on-failure
destination record."""
import time
import unittest

from local_stack import LocalStack, make_photo


class DeadLetter(unittest.TestCase):
    def test_retries_exhausted_goes_to_dead_letters(self):
        env = {"IMGPIPE_FN_OUTPUT_BUCKET": "no-such-bucket"}
        with LocalStack("dlq", retry_delays_ms="400,800", env=env) as st:
            keys = ["fail/one.jpg", "fail/two two.png"]
            t0 = time.monotonic()
            st.put(keys[0], make_photo(seed=1))
            st.put(keys[1], make_photo(seed=2, fmt="PNG"))
            st.wait_idle(timeout=60)
            elapsed = time.monotonic() - t0
            letters = st.dead_letters()
            self.assertEqual(len(letters), 2, letters)
            got_keys = set()
            for rec in letters:
                ctx = rec["requestContext"]
                self.assertEqual(ctx["condition"], "RetriesExhausted")
                self.assertEqual(ctx["approximateInvokeCount"], 3)
                self.assertRegex(ctx["functionArn"], r"^arn:aws:lambda:us-east-1:\d{12}:function:imgpipe:\$LATEST$")
                self.assertEqual(rec["responseContext"]["functionError"], "Unhandled")
                self.assertTrue(rec["responsePayload"].get("errorMessage") or rec["responsePayload"].get("errorType"))
                r0 = rec["requestPayload"]["Records"][0]
                self.assertEqual(r0["eventVersion"], "2.1")
                self.assertEqual(r0["s3"]["bucket"]["arn"], f"arn:aws:s3:::{st.input_bucket}")
                got_keys.add(r0["s3"]["object"]["key"])
            self.assertEqual(got_keys, {"fail/one.jpg", "fail/two+two.png"})
            status = st.status()
            self.assertEqual(status["attempts"], 6)
            self.assertEqual(status["retried"], 4)
            self.assertGreaterEqual(elapsed, 1.2, "the retries waited their backoff (0.4 s + 0.8 s)")
            self.assertEqual(st.output_keys(), [])


if __name__ == "__main__":
    unittest.main()
