"""Keys S3 encodes in notifications (spaces, unicode, '+', '%', nested prefixes), the
notification filter, and a multipart upload through `aws s3 cp`."""
import os
import tempfile
import unittest

from local_stack import LocalStack, check_output_image, make_photo, output_key

KEYS = [
    "with space/my photo.jpg",
    "unicodé/日本語 写真.png",
    "plus+sign/a+b c.jpeg",
    "deep/nested/prefix/level 4/x.webp",
    "100% real (1) & [2].JPG",
    "emoji 📷/ü+é=?.gif",
]


class Keys(unittest.TestCase):
    def test_awkward_keys_reach_the_function_intact(self):
        with LocalStack("keys") as st:
            formats = {"jpg": "JPEG", "png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "JPG": "JPEG",
                       "gif": "GIF"}
            with tempfile.TemporaryDirectory() as tmp:
                for i, key in enumerate(KEYS):
                    path = os.path.join(tmp, f"in{i}")
                    with open(path, "wb") as f:
                        f.write(make_photo((500, 400), seed=i, fmt=formats[key.rsplit(".", 1)[1]]))
                    st.aws("s3", "cp", path, f"s3://{st.input_bucket}/{key}")
            outputs = [output_key(k) for k in KEYS]
            st.wait_outputs(outputs, timeout=60)
            for key in outputs:
                check_output_image(self, st, key)
            st.wait_idle()
            self.assertEqual(sorted(st.output_keys()), sorted(outputs))
            self.assertEqual(st.status()["invocations"], len(KEYS))

    def test_filter_skips_keys_outside_the_suffixes(self):
        with LocalStack("filter", env={"IMGPIPE_FILTER_PREFIX": "in/"}) as st:
            st.put("in/notes.txt", b"not an image")
            st.put("in/photo.Jpg", make_photo(seed=1))  # S3 suffix filters are case-sensitive
            st.put("other/photo.jpg", make_photo(seed=2))  # outside the prefix
            st.put("in/photo.jpg", make_photo(seed=3))
            st.wait_outputs(["in/photo.jpg"])
            st.wait_idle()
            self.assertEqual(st.output_keys(), ["in/photo.jpg"])
            self.assertEqual(st.status()["invocations"], 1)

    def test_multipart_upload_is_processed(self):
        with LocalStack("multipart") as st, tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "big.png")
            with open(path, "wb") as f:
                f.write(make_photo((2400, 1800), seed=7, fmt="PNG", grain=1))
            size = os.path.getsize(path)
            self.assertGreater(size, 8 * 1024 * 1024, "must exceed the CLI's multipart threshold")
            st.aws("s3", "cp", path, f"s3://{st.input_bucket}/large/big photo.png")
            st.wait_outputs(["large/big photo.jpg"], timeout=60)
            check_output_image(self, st, "large/big photo.jpg")
            # The event was the multipart one, named as AWS names it, with the full size.
            events = [l for l in st.log("s3.log").splitlines() if "[s3-events] ObjectCreated:" in l]
            self.assertEqual(len(events), 1, events)
            self.assertIn("ObjectCreated:CompleteMultipartUpload large/big+photo.png", events[0])
            self.assertIn(f"({size} bytes)", events[0])


if __name__ == "__main__":
    unittest.main()
