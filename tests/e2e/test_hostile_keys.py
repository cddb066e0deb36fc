"""The local S3 server refuses keys and buckets with dot segments (it joins them into file paths,
so "../../x" would write outside its data directory), and it stops promptly on SIGTERM even while
clients hold connections open (idle keep-alive, or stalled mid-request)."""
import http.client
import os
import socket
import tempfile
import time
import unittest

from local_stack import LocalStack, make_photo

TRAVERSAL_KEYS = [
    "../../../../../../tmp/imgpipe-e2e-trav/trav.jpg",
    "../e2e-output/../e2e-input/victim.jpg",
    "a/./b.jpg",
]


class HostileKeys(unittest.TestCase):
    def test_dot_segment_keys_are_refused_and_nothing_is_written(self):
        outside = "/tmp/imgpipe-e2e-trav"
        with LocalStack("hostile-keys") as st, tempfile.TemporaryDirectory() as tmp:
            st.put("victim.jpg", make_photo(seed=4))
            st.wait_outputs(["victim.jpg"])
            before = st.s3.get_object(Bucket=st.input_bucket, Key="victim.jpg")["Body"].read()
            path = os.path.join(tmp, "evil.jpg")
            with open(path, "wb") as f:
                f.write(make_photo(seed=5))
            for key in TRAVERSAL_KEYS:
                r = st.aws("s3api", "put-object", "--bucket", st.input_bucket, "--key", key,
                           "--body", path, check=False)
                self.assertNotEqual(r.returncode, 0, key)
                self.assertIn("InvalidArgument", r.stderr, key)
            # A bucket that is a dot segment is refused too (raw request: clients refuse it).
            conn = http.client.HTTPConnection("127.0.0.1", st.s3_port, timeout=10)
            conn.request("GET", "/../e2e-input/victim.jpg")
            self.assertEqual(conn.getresponse().status, 400)
            conn.close()
            st.wait_idle()
            self.assertFalse(os.path.exists(outside), "a key wrote outside the data directory")
            after = st.s3.get_object(Bucket=st.input_bucket, Key="victim.jpg")["Body"].read()
            self.assertEqual(before, after, "the input was overwritten")
            self.assertEqual(st.output_keys(), ["victim.jpg"])

    def test_sigterm_stops_the_server_despite_open_connections(self):
        with LocalStack("keepalive") as st:
            # An idle keep-alive connection, as a client pool keeps it ...
            idle = http.client.HTTPConnection("127.0.0.1", st.s3_port, timeout=10)
            idle.request("GET", f"/{st.input_bucket}?list-type=2")
            idle.getresponse().read()
            # ... and one that stalls in the middle of its request headers, which close()
            # alone would wait for until Node's headers timeout.
            stalled = socket.create_connection(("127.0.0.1", st.s3_port), timeout=10)
            stalled.sendall(f"GET /{st.input_bucket}?list-type=2 HTTP/1.1\r\nHost: x\r\n".encode())
            time.sleep(0.2)
            t0 = time.monotonic()
            r = st.stack("down", check=False)
            elapsed = time.monotonic() - t0
            idle.close()
            stalled.close()
            self.assertNotIn("ignored SIGTERM", r.stderr)
            # Without the fix the stalled connection holds the server for Node's 60 s headers
            # timeout; 15 s tells the two apart even on a loaded 2-core CI machine.
            self.assertLess(elapsed, 15.0, f"stack down took {elapsed:.1f} s")

if __name__ == "__main__":
    unittest.main()
