"""The local Lambda service's own guarantees, with tiny stand-in runtimes whose behaviour is
certain: a timeout kills and restarts the worker, and a runtime that fails at init fails the
invocations that woke it (and retries end in the dead-letter file)."""
import json
import os
import time
import unittest

from local_stack import LocalStack, wait_until

RUNTIMES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtimes")


class LambdaService(unittest.TestCase):
    def test_timeout_kills_and_restarts_the_worker(self):
        env = {"IMGPIPE_BOOTSTRAP": os.path.join(RUNTIMES, "hang.py"), "IMGPIPE_MAX_RETRIES": "1"}
        with LocalStack("timeout", workers=1, timeout_s=1, retry_delays_ms="100", env=env) as st:
            t0 = time.monotonic()
            r = st.lambda_.invoke(FunctionName="imgpipe", Payload=b'{"n": 1}')
            elapsed = time.monotonic() - t0
            self.assertEqual(r["FunctionError"], "Unhandled")
            err = json.loads(r["Payload"].read())
            self.assertEqual(err["errorType"], "Sandbox.Timedout")
            self.assertIn("Task timed out after 1.00 seconds", err["errorMessage"])
            self.assertGreaterEqual(elapsed, 1.0)
            self.assertLess(elapsed, 5.0)
            wait_until(lambda: st.status()["workers"][0]["starts"] == 2, 10, "a fresh worker")
            self.assertIn("Task timed out after 1.00 seconds", st.log("worker-1.log"))
            # Async: first attempt + 1 retry, both time out, then the dead letter.
            self.assertEqual(st.lambda_.invoke(FunctionName="imgpipe", InvocationType="Event",
                                               Payload=b'{"n": 2}')["StatusCode"], 202)
            wait_until(st.dead_letters, 20, "the dead letter")
            (letter,) = st.dead_letters()
            self.assertEqual(letter["requestPayload"], {"n": 2})
            self.assertEqual(letter["requestContext"]["approximateInvokeCount"], 2)
            self.assertEqual(letter["responsePayload"]["errorType"], "Sandbox.Timedout")

    def test_init_error_fails_the_invocation(self):
        env = {"IMGPIPE_BOOTSTRAP": os.path.join(RUNTIMES, "init_error.py"), "IMGPIPE_MAX_RETRIES": "0"}
        st = LocalStack("initerr", workers=1, env=env)
        # Its workers never reach /next, so start() cannot wait for them: wait for the API only.
        st.wait_workers_ready = lambda timeout=0: None
        with st:
            r = st.lambda_.invoke(FunctionName="imgpipe", Payload=b"{}")
            self.assertEqual(r["FunctionError"], "Unhandled")
            err = json.loads(r["Payload"].read())
            self.assertEqual(err, {"errorType": "Runtime.InvalidConfig",
                                   "errorMessage": "OUTPUT_BUCKET is not set"})
            st.lambda_.invoke(FunctionName="imgpipe", InvocationType="Event", Payload=b'{"k": 1}')
            wait_until(st.dead_letters, 20, "the dead letter")
            self.assertEqual(st.dead_letters()[0]["responsePayload"]["errorType"], "Runtime.InvalidConfig")
            self.assertGreater(st.status()["workers"][0]["starts"], 1, "the worker is restarted")


if __name__ == "__main__":
    unittest.main()
