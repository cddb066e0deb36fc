"""50 photos uploaded at once: 50 outputs, each a 256×256 one-channel gray JPEG."""
import collections
import unittest

from local_stack import LocalStack, check_output_image, make_photo, output_key

FORMATS = [("JPEG", "jpg")] * 6 + [("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif"),
                                     ("JPEG", "JPEG")]


class FanOut(unittest.TestCase):
    def test_fifty_concurrent_uploads_give_fifty_gray_thumbnails(self):
        with LocalStack("fanout") as st:
            items = []
            for i in range(50):
                fmt, ext = FORMATS[i % len(FORMATS)]
                size = (640 + 37 * i, 480 + 23 * (i % 7))  # landscape and portrait, odd sizes
                if i % 5 == 0:
                    size = size[::-1]
                items.append((f"batch/photo-{i:03d}.{ext}", make_photo(size, seed=i, fmt=fmt)))
            st.put_many(items, threads=16)
            outputs = [output_key(k) for k, _ in items]
            self.assertEqual(len(set(outputs)), 50)
            st.wait_outputs(outputs, timeout=90)
            st.wait_idle()
            self.assertEqual(sorted(st.output_keys()), sorted(outputs))
            for key in outputs:
                check_output_image(self, st, key)
            status = st.status()
            self.assertEqual(status["invocations"], 50)
            self.assertEqual(status["deadLettered"], 0)
            self.assertEqual(st.dead_letters(), [])
            # Both workers took part: the concurrency is real.
            per_worker = collections.Counter()
            for w in (1, 2):
                per_worker[w] = st.log(f"worker-{w}.log").count("START RequestId:")
            self.assertEqual(sum(per_worker.values()), 50)
            self.assertGreater(min(per_worker.values()), 0, per_worker)


if __name__ == "__main__":
    unittest.main()
