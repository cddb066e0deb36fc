"""The S3 server killed (SIGKILL) in the middle of a run and started again: after recovery nothing
is lost. Every upload the client saw succeed has an output or a dead letter."""
import time
import unittest
import urllib.parse

from local_stack import LocalStack, make_photo, output_key

SLOW = {"IMGPIPE_TEST_SLOW_GET_PREFIX": "slow/", "IMGPIPE_TEST_SLOW_GET_MS": "1500"}


class S3Restart(unittest.TestCase):
    def test_nothing_is_lost_across_an_s3_restart(self):
        with LocalStack("s3restart", retry_delays_ms="1000,2000", env=SLOW) as st:
            # Slow keys first, so both workers are inside a GetObject when the server dies.
            first = [(f"slow/a-{i}.jpg", make_photo((500, 400), seed=i)) for i in range(2)]
            first += [(f"run/b-{i:02d}.jpg", make_photo((500, 400), seed=10 + i)) for i in range(14)]
            st.put_many(first, threads=4)
            uploaded = [k for k, _ in first]
            time.sleep(0.3)
            busy = [w for w in st.status()["workers"] if w["state"] == "busy"]
            self.assertTrue(busy, "the kill must hit invocations in flight")
            st.kill_component("s3-server")
            time.sleep(1.0)
            st.stack("up")  # restarts only what is down: the S3 server
            second = [(f"run/c-{i:02d}.png", make_photo((400, 300), seed=40 + i, fmt="PNG"))
                      for i in range(8)]
            st.put_many(second, threads=4)
            uploaded += [k for k, _ in second]
            st.wait_idle(timeout=90)
            outputs = set(st.output_keys())
            dead = {urllib.parse.unquote_plus(d["requestPayload"]["Records"][0]["s3"]["object"]["key"])
                    for d in st.dead_letters()}
            lost = [k for k in uploaded if output_key(k) not in outputs and k not in dead]
            self.assertEqual(lost, [], f"outputs: {sorted(outputs)}\ndead letters: {sorted(dead)}")
            # The objects themselves survived the restart (the server persists to disk).
            listed = {o["Key"] for o in st.s3.list_objects_v2(Bucket=st.input_bucket)["Contents"]}
            self.assertEqual(listed, set(uploaded))


if __name__ == "__main__":
    unittest.main()
