"""The same event delivered twice (S3 delivers at least once) gives one output with the same
bytes; and the Invoke API behaves like Lambda's for the real AWS CLI."""
import base64
import json
import os
import tempfile
import unittest

from local_stack import LocalStack, make_photo, s3_record


class Duplicate(unittest.TestCase):
    def test_same_event_twice_gives_one_identical_output(self):
        with LocalStack("dup") as st, tempfile.TemporaryDirectory() as tmp:
            photo = make_photo((1024, 768), seed=3)
            st.put("dup/twice over.jpg", photo)
            st.wait_outputs(["dup/twice over.jpg"])
            st.wait_idle()
            first = st.s3.get_object(Bucket=st.output_bucket, Key="dup/twice over.jpg")["Body"].read()
            payload = json.dumps({"Records": [s3_record(st.input_bucket, "dup/twice over.jpg",
                                                        size=len(photo))]})
            out = os.path.join(tmp, "out.json")
            for _ in range(2):  # redelivered synchronously, through the real AWS CLI
                r = st.aws("lambda", "invoke", "--function-name", "imgpipe",
                           "--cli-binary-format", "raw-in-base64-out", "--payload", payload,
                           "--log-type", "Tail", out)
                meta = json.loads(r.stdout)
                self.assertEqual(meta["StatusCode"], 200)
                self.assertNotIn("FunctionError", meta, open(out).read())
                tail = base64.b64decode(meta["LogResult"]).decode()
                self.assertIn("START RequestId:", tail)
                self.assertIn("REPORT RequestId:", tail)
                again = st.s3.get_object(Bucket=st.output_bucket, Key="dup/twice over.jpg")["Body"].read()
                self.assertEqual(again, first)
            for _ in range(2):  # and asynchronously, as S3 would redeliver
                r = st.lambda_.invoke(FunctionName="imgpipe", InvocationType="Event", Payload=payload)
                self.assertEqual(r["StatusCode"], 202)
            st.wait_idle()
            self.assertEqual(st.output_keys(), ["dup/twice over.jpg"])
            last = st.s3.get_object(Bucket=st.output_bucket, Key="dup/twice over.jpg")["Body"].read()
            self.assertEqual(last, first)
            self.assertEqual(st.status()["invocations"], 5)
            self.assertEqual(st.status()["succeeded"], 5)

    def test_invoke_api_errors_like_lambda(self):
        with LocalStack("invokeapi") as st, tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.json")
            r = st.aws("lambda", "invoke", "--function-name", "nope", out, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("ResourceNotFoundException", r.stderr)
            r = st.aws("lambda", "invoke", "--function-name",
                       "arn:aws:lambda:us-east-1:000000000000:function:imgpipe",
                       "--invocation-type", "DryRun", out)
            self.assertEqual(json.loads(r.stdout)["StatusCode"], 204)
            r = st.aws("lambda", "invoke", "--function-name", "imgpipe", "--invocation-type",
                       "Event", "--cli-binary-format", "raw-in-base64-out", "--payload",
                       "not json", out, check=False)
            self.assertIn("InvalidRequestContentException", r.stderr)
            big = json.dumps({"pad": "x" * (300 * 1024)})
            with open(os.path.join(tmp, "big.json"), "w") as f:
                f.write(big)
            r = st.aws("lambda", "invoke", "--function-name", "imgpipe", "--invocation-type",
                       "Event", "--cli-binary-format", "raw-in-base64-out", "--payload",
                       f"file://{tmp}/big.json", out, check=False)
            self.assertIn("RequestEntityTooLargeException", r.stderr)


if __name__ == "__main__":
    unittest.main()
