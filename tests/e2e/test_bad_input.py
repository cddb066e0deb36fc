"""Corrupt and non-image uploads: no output, a logged reason naming the object, no retries or
dead letters (a permanent failure), and the good images around them are unaffected."""
import unittest

from local_stack import LocalStack, check_output_image, make_photo, output_key


class BadInput(unittest.TestCase):
    def test_bad_uploads_are_logged_and_skipped(self):
        good_jpeg = make_photo((700, 500), seed=11)
        bad = {
            "bad/truncated.jpg": good_jpeg[: len(good_jpeg) // 3],
            "bad/garbage.jpg": bytes(range(256)) * 64,
            "bad/text.png": b"this is a text file, not a PNG\n" * 20,
            "bad/empty.webp": b"",
            "bad/png-header-only.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        }
        good = {f"good/ok-{i}.jpg": make_photo((600, 450), seed=20 + i) for i in range(3)}
        with LocalStack("badinput") as st:
            items = list(good.items()) + list(bad.items())
            st.put_many(items, threads=8)
            st.wait_outputs([output_key(k) for k in good])
            st.wait_idle()
            self.assertEqual(sorted(st.output_keys()), sorted(output_key(k) for k in good))
            for k in good:
                check_output_image(self, st, output_key(k))
            # Permanent failures succeed as invocations: no retries, nothing dead-lettered.
            status = st.status()
            self.assertEqual(status["invocations"], len(items))
            self.assertEqual(status["failedAttempts"], 0, status)
            self.assertEqual(st.dead_letters(), [])
            records = st.worker_log_records()
            for key in bad:
                reasons = [r for r in records if r.get("key") == key and r.get("reason")]
                self.assertTrue(reasons, f"no logged reason for {key}")


if __name__ == "__main__":
    unittest.main()
