# trigger = "direct" (the default): S3 invokes the function asynchronously. Plan-level runs
# compare the module with the facts tf.sh reads from their one source (bootstrap_env,
# decoded_formats, core), then an apply with mocked resources proves the provider accepts it.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# Apply-level runs use their own mock, without override_during = plan: values generated at plan
# would otherwise be generated again at apply, which the provider reports as inconsistent.
mock_provider "aws" {
  alias  = "apply"
  source = "./tests/mocks"
}

variables {
  input_bucket_name  = "imgpipe-test-input"
  output_bucket_name = "imgpipe-test-output"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
}

run "least_privilege" {
  command = plan

  assert {
    condition = jsonencode({
      for s in data.aws_iam_policy_document.lambda.statement : s.sid => [s.effect, s.actions, s.resources]
      }) == jsonencode({
      ReadInputImages   = ["Allow", ["s3:GetObject", "s3:GetObjectVersion"], ["arn:aws:s3:::imgpipe-test-input/*"]]
      WriteOutputImages = ["Allow", ["s3:PutObject"], ["arn:aws:s3:::imgpipe-test-output/*"]]
      WriteOwnLogs      = ["Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe:*"]]
      SendDeadLetters   = ["Allow", ["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:123456789012:imgpipe-dead-letters"]]
    })
    error_message = "The role policy must allow exactly: GetObject on input objects, PutObject on output objects, log writes on its own group, SendMessage on the dead-letter queue."
  }

  assert {
    condition = alltrue(flatten([
      for doc in concat([data.aws_iam_policy_document.lambda], values(data.aws_iam_policy_document.bucket)) : [
        for s in doc.statement : s.effect == "Deny" || (
          alltrue([for a in s.actions : !strcontains(a, "*")]) && length(coalesce(s.not_actions, [])) == 0 &&
          alltrue([for r in s.resources : r != "*"])
        )
      ]
    ]))
    error_message = "No Allow statement may have a wildcard action, a NotAction or a * resource."
  }

  assert {
    condition     = jsonencode(data.aws_iam_policy_document.assume_role.statement[0].principals) == jsonencode([{ type = "Service", identifiers = ["lambda.amazonaws.com"] }])
    error_message = "Only Lambda may assume the execution role."
  }
}

run "tls_only_and_encrypted" {
  command = plan

  assert {
    condition = alltrue([
      for name, doc in data.aws_iam_policy_document.bucket : anytrue([
        for s in doc.statement : s.effect == "Deny" && s.actions == toset(["s3:*"]) &&
        s.resources == toset(["arn:aws:s3:::imgpipe-test-${name}", "arn:aws:s3:::imgpipe-test-${name}/*"]) &&
        anytrue([for c in s.condition : c.test == "Bool" && c.variable == "aws:SecureTransport" && jsonencode(c.values) == jsonencode(["false"])])
      ])
    ]) && length(data.aws_iam_policy_document.bucket) == 2
    error_message = "Both buckets must deny every S3 action over plain HTTP, on the bucket and its objects."
  }

  assert {
    condition = alltrue([
      for c in aws_s3_bucket_server_side_encryption_configuration.this :
      one(one(c.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    ]) && length(aws_s3_bucket_server_side_encryption_configuration.this) == 2
    error_message = "Both buckets must be encrypted (AES256 without a KMS key)."
  }

  assert {
    condition = alltrue([
      for b in [aws_s3_bucket_public_access_block.input, aws_s3_bucket_public_access_block.output] :
      b.block_public_acls && b.ignore_public_acls && b.block_public_policy && b.restrict_public_buckets
    ])
    error_message = "By default both buckets block all public access."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.bucket["output"].statement) == 1
    error_message = "By default the output bucket grants no read to anyone."
  }
}

run "kms" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = alltrue([
      for c in aws_s3_bucket_server_side_encryption_configuration.this :
      one(one(c.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" && one(c.rule).bucket_key_enabled
    ])
    error_message = "With a KMS key both buckets use SSE-KMS with a bucket key."
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.lambda.statement : [s.actions, s.resources] if s.sid == "UseBucketKey"
    ]) == jsonencode([[["kms:Decrypt", "kms:GenerateDataKey"], [var.kms_key_arn]]])
    error_message = "The role may decrypt and generate data keys with the given key, nothing more."
  }
}

run "notification" {
  command = plan

  assert {
    condition = sort([for f in aws_s3_bucket_notification.input.lambda_function : f.filter_suffix]) == sort(flatten([
      for f in var.decoded_formats : [".${lower(f)}", ".${upper(f)}"]
    ]))
    error_message = "The suffix filter must cover exactly the formats the core decodes (${jsonencode(var.decoded_formats)}), in lower and upper case."
  }

  assert {
    condition = alltrue([
      for f in aws_s3_bucket_notification.input.lambda_function :
      f.lambda_function_arn == aws_lambda_function.this.arn && f.events == toset(["s3:ObjectCreated:*"]) && f.filter_prefix == null
    ])
    error_message = "Every rule sends s3:ObjectCreated:* to the function, with no prefix by default."
  }

  assert {
    condition = (
      aws_lambda_permission.s3_invoke[0].principal == "s3.amazonaws.com" &&
      aws_lambda_permission.s3_invoke[0].source_arn == "arn:aws:s3:::imgpipe-test-input" &&
      aws_lambda_permission.s3_invoke[0].source_account == "123456789012"
    )
    error_message = "Only S3, from the input bucket of this account, may invoke the function."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.input.queue) == 0 && length(aws_sqs_queue.events) == 0 && length(aws_lambda_event_source_mapping.events) == 0
    error_message = "Direct mode creates no event queue and no event source mapping."
  }
}

run "notification_prefix" {
  command = plan

  variables {
    filter_prefix = "uploads/"
  }

  assert {
    condition = alltrue([
      for f in aws_s3_bucket_notification.input.lambda_function : f.filter_prefix == "uploads/"
    ]) && aws_lambda_function.this.environment[0].variables.INPUT_PREFIX == "uploads/"
    error_message = "filter_prefix filters the notification and reaches the function as INPUT_PREFIX."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.lambda.statement : s.resources if s.sid == "ReadInputImages"]) == toset(["arn:aws:s3:::imgpipe-test-input/uploads/*"])
    error_message = "The function may read only keys under the prefix."
  }
}

run "function" {
  command = plan

  assert {
    condition     = sort(keys(aws_lambda_function.this.environment[0].variables)) == sort(var.bootstrap_env)
    error_message = "The environment must set exactly the names bootstrap --list-env prints: ${jsonencode(sort(var.bootstrap_env))}."
  }

  assert {
    condition = (
      aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.handler == "bootstrap" &&
      jsonencode(aws_lambda_function.this.architectures) == jsonencode(["x86_64"]) &&
      aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    )
    error_message = "The function is the provided.al2023 custom runtime on x86_64, deploying the hashed zip."
  }

  assert {
    condition = (
      aws_lambda_function.this.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.this.logging_config[0].log_group == aws_cloudwatch_log_group.this.name &&
      aws_cloudwatch_log_group.this.retention_in_days == 14
    )
    error_message = "The function logs JSON into its own group, kept 14 days by default."
  }

  # With the module's defaults, every variable gets the binary's own default (the option table,
  # src/options/option_table.cc, printed by bootstrap --list-env --json), or "" (which takes it);
  # a JSON value may be spaced otherwise ([256,256]). Set by the module on purpose instead:
  # OUTPUT_BUCKET (required) and INPUT_BUCKET (the module's buckets), and CACHE_CONTROL, where a
  # CDN-fronted deployment wants a day of caching (variables.tf) and the bare binary sends none.
  assert {
    condition = alltrue([
      for name, default in var.bootstrap_defaults :
      contains(["OUTPUT_BUCKET", "INPUT_BUCKET", "CACHE_CONTROL"], name) ||
      contains(["", default], aws_lambda_function.this.environment[0].variables[name]) ||
      try(jsondecode(aws_lambda_function.this.environment[0].variables[name]) == jsondecode(default), false)
    ])
    error_message = "The module's defaults must be the binary's (bootstrap --list-env --json); these differ (module => binary): ${jsonencode({ for name, default in var.bootstrap_defaults : name => "${aws_lambda_function.this.environment[0].variables[name]} => ${coalesce(default, "(required)")}" if !(contains(["OUTPUT_BUCKET", "INPUT_BUCKET", "CACHE_CONTROL"], name) || contains(["", default], aws_lambda_function.this.environment[0].variables[name]) || try(jsondecode(aws_lambda_function.this.environment[0].variables[name]) == jsondecode(default), false)) })}."
  }

  assert {
    condition = (
      var.max_input_bytes == var.core.max_input_bytes &&
      var.max_input_pixels == var.core.max_input_pixels &&
      aws_lambda_function.this.environment[0].variables.MAX_INPUT_BYTES == tostring(var.core.max_input_bytes)
    )
    error_message = "The module's input limits must default to the core's (options.h): ${jsonencode(var.core)}."
  }
}

run "dead_letters_and_retries" {
  command = plan

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 2 &&
      aws_lambda_function_event_invoke_config.this[0].maximum_event_age_in_seconds == 21600 &&
      aws_lambda_function_event_invoke_config.this[0].destination_config[0].on_failure[0].destination == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dead-letters"
    )
    error_message = "Failed asynchronous events are retried twice, then sent to the dead-letter queue."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.message_retention_seconds == 1209600 && aws_sqs_queue.dead_letter.sqs_managed_sse_enabled
    error_message = "The dead-letter queue keeps messages 14 days, encrypted."
  }
}

run "apply" {
  providers = {
    aws = aws.apply
  }

  assert {
    condition     = output.lambda_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:imgpipe" && output.event_queue_url == null
    error_message = "The applied direct deployment exposes the function and no event queue."
  }

  assert {
    condition     = output.output_bucket_public_url_prefix == null && output.cloudfront_distribution_domain_name == null
    error_message = "A private output bucket has no public URL."
  }
}
