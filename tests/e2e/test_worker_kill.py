"""A worker SIGKILLed in the middle of an invocation: Lambda fails that attempt with
Runtime.ExitError, starts a fresh worker, retries the event, and the output appears."""
import os
import signal
import unittest

from local_stack import LocalStack, check_output_image, make_photo, wait_until

SLOW = {"IMGPIPE_TEST_SLOW_GET_PREFIX": "slow/", "IMGPIPE_TEST_SLOW_GET_MS": "2000"}


class WorkerKill(unittest.TestCase):
    def test_killed_worker_is_replaced_and_the_event_retried(self):
        with LocalStack("kill", retry_delays_ms="300,600", env=SLOW) as st:
            st.put("slow/victim.jpg", make_photo((900, 700), seed=5))
            # The function is now stuck in its GetObject (the server holds it for 2 s).
            busy = wait_until(
                lambda: [w for w in st.status()["workers"]
                         if w["state"] == "busy" and (w["payload"] or {}).get("key") == "slow/victim.jpg"],
                20, "a worker to pick up slow/victim.jpg")[0]
            os.kill(busy["pid"], signal.SIGKILL)
            st.wait_outputs(["slow/victim.jpg"], timeout=30)
            check_output_image(self, st, "slow/victim.jpg")
            st.wait_idle()
            lambda_log = st.log("lambda.log")
            self.assertIn("slow/victim.jpg: attempt 1 failed: Runtime.ExitError", lambda_log)
            self.assertIn("slow/victim.jpg: succeeded on attempt 2", lambda_log)
            status = st.status()
            worker = next(w for w in status["workers"] if w["id"] == busy["id"])
            self.assertEqual(worker["starts"], 2, "the killed worker was restarted once")
            self.assertNotEqual(worker["pid"], busy["pid"])
            self.assertEqual(status["retried"], 1)
            self.assertEqual(st.dead_letters(), [])
            worker_log = st.log(f"worker-{busy['id']}.log")
            self.assertIn(f"pid {busy['pid']} exited (signal: killed)", worker_log)


if __name__ == "__main__":
    unittest.main()
