################################################################################
# Buckets
################################################################################

variable "input_bucket_name" {
  description = "Name of the bucket that receives the original images; every upload with a supported extension triggers the function. Same name as in the tutorial."
  type        = string

  validation {
    # S3 rules: 3-63 characters, lowercase letters, digits, dots and hyphens, starting and ending
    # with a letter or digit, no "..", not an IP address, none of the reserved prefixes/suffixes.
    condition = (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.input_bucket_name)) &&
      !strcontains(var.input_bucket_name, "..") &&
      !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.input_bucket_name)) &&
      !can(regex("^(xn--|sthree-|amzn-s3-demo-)", var.input_bucket_name)) &&
      !can(regex("(-s3alias|--ol-s3|--x-s3|\\.mrap)$", var.input_bucket_name))
    )
    error_message = "input_bucket_name must follow the S3 bucket naming rules: 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, --x-s3, .mrap)."
  }
}

variable "output_bucket_name" {
  description = "Name of the bucket the function writes the resized images to. Must differ from input_bucket_name (the function would otherwise trigger itself). Same name as in the tutorial."
  type        = string

  validation {
    condition = (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.output_bucket_name)) &&
      !strcontains(var.output_bucket_name, "..") &&
      !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.output_bucket_name)) &&
      !can(regex("^(xn--|sthree-|amzn-s3-demo-)", var.output_bucket_name)) &&
      !can(regex("(-s3alias|--ol-s3|--x-s3|\\.mrap)$", var.output_bucket_name))
    )
    error_message = "output_bucket_name must follow the S3 bucket naming rules: 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, --x-s3, .mrap)."
  }
}

variable "output_access" {
  description = "Who can read the resized images: private (only IAM principals), public_bucket (a public-read bucket policy, as the tutorial did) or cloudfront (a CloudFront distribution with Origin Access Control in front of the private bucket, the way AWS recommends). null takes the value from the deprecated public_output, else private."
  type        = string
  default     = null

  validation {
    condition     = var.output_access == null || contains(["private", "public_bucket", "cloudfront"], coalesce(var.output_access, "private"))
    error_message = "output_access must be private, public_bucket or cloudfront."
  }
}

variable "public_output" {
  description = "Deprecated alias of output_access: true means public_bucket, false means private. null (the default) leaves the choice to output_access."
  type        = bool
  default     = null
}

variable "versioning" {
  description = "Enable S3 versioning on both buckets."
  type        = bool
  default     = false
}

variable "input_expiry_days" {
  description = "Delete original images this many days after upload (lifecycle rule on the input bucket). 0 keeps them forever."
  type        = number
  default     = 0

  validation {
    condition     = var.input_expiry_days >= 0 && floor(var.input_expiry_days) == var.input_expiry_days
    error_message = "input_expiry_days must be a whole number of days, 0 (never expire) or more."
  }
}

variable "output_expiry_days" {
  description = "Delete resized images this many days after they were written (lifecycle rule on the output bucket). 0 keeps them forever."
  type        = number
  default     = 0

  validation {
    condition     = var.output_expiry_days >= 0 && floor(var.output_expiry_days) == var.output_expiry_days
    error_message = "output_expiry_days must be a whole number of days, 0 (never expire) or more."
  }
}

variable "kms_key_arn" {
  description = "ARN of a KMS key for SSE-KMS on both buckets; null uses SSE-S3 (AES256). SSE-KMS cannot be combined with output_access = public_bucket or cloudfront: anonymous readers cannot decrypt, and CloudFront would need a key policy this module does not manage."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the buckets even when they still hold objects. false makes destroy fail on a non-empty bucket, which protects the images."
  type        = bool
  default     = false
}

################################################################################
# Trigger
################################################################################

variable "trigger" {
  description = "How uploads reach the function: direct (S3 invokes it asynchronously, retried by Lambda) or sqs (S3 sends to a queue that an event source mapping drains in batches, with per-message failures; the topology for high volume)."
  type        = string
  default     = "direct"

  validation {
    condition     = contains(["direct", "sqs"], var.trigger)
    error_message = "trigger must be direct or sqs."
  }
}

variable "max_receive_count" {
  description = "sqs trigger: receives of one message before SQS moves it to the dead-letter queue, within 1..1000."
  type        = number
  default     = 3

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number within 1..1000."
  }
}

variable "batch_size" {
  description = "sqs trigger: most messages handed to one invocation, within 1..100 (above 10 needs maximum_batching_window_in_seconds >= 1). The function refuses an event of more than 100 records as a whole, so SQS's own limit of 10000 would fail every full batch."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 100 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number within 1..100 (the function's cap on records per event)."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "sqs trigger: how long the event source mapping waits to fill a batch, in seconds within 0..300."
  type        = number
  default     = 0

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number within 0..300."
  }
}

variable "maximum_concurrency" {
  description = "sqs trigger: most concurrent invocations the event source mapping starts, within 2..1000 (the cap that keeps bursts from exhausting the account's concurrency)."
  type        = number
  default     = 10

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency
    error_message = "maximum_concurrency must be a whole number within 2..1000."
  }
}

variable "enable_batch_operations" {
  description = "Create a role that S3 Batch Operations assumes to run the function over objects already in the input bucket (backfill). It may invoke this function only, read manifests and write reports in batch_operations_bucket_name."
  type        = bool
  default     = false
}

variable "batch_operations_bucket_name" {
  description = "Bucket holding the Batch Operations manifests (under manifests/) and completion reports (under reports/); required when enable_batch_operations = true."
  type        = string
  default     = null

  validation {
    condition     = var.batch_operations_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.batch_operations_bucket_name))
    error_message = "batch_operations_bucket_name must be null or a valid S3 bucket name (3-63 characters of a-z, 0-9, '.' and '-')."
  }
}

variable "filter_prefix" {
  description = "Only uploads whose key starts with this prefix trigger the function (S3 notification filter_prefix); \"\" means every key. Also passed to the function as INPUT_PREFIX for its recursion guard."
  type        = string
  default     = ""

  validation {
    condition     = length(var.filter_prefix) <= 1024 && !startswith(var.filter_prefix, "/")
    error_message = "filter_prefix must be at most 1024 characters and must not start with '/' (S3 keys have no leading slash)."
  }
}

################################################################################
# Image processing (passed to the function's environment)
################################################################################

variable "new_image_size" {
  description = "Target [width, height] in pixels, as in the tutorial. Each side is a whole number within 1..16383 (the core's limit)."
  type        = list(number)
  default     = [256, 256]

  validation {
    condition     = length(var.new_image_size) == 2 && alltrue([for side in var.new_image_size : side >= 1 && side <= 16383 && floor(side) == side])
    error_message = "new_image_size must be [width, height] with whole numbers within 1..16383."
  }
}

variable "variants" {
  description = "Several outputs per upload, from one download and one decode (VARIANTS). Each has a name (a-z 0-9 _ -, up to 32, unique) and a size [width, height]; fit, format, quality, grayscale, background, without_enlargement, shrink_on_load and prefix are optional and default to the function-wide variables. A variant's outputs go to output_prefix + (prefix, or name + \"/\") + the key with the format's extension. Empty (the default): one output named as without variants, from new_image_size, fit, ..."
  type = list(object({
    name                = string
    size                = list(number)
    fit                 = optional(string)
    format              = optional(string)
    quality             = optional(number)
    grayscale           = optional(bool)
    background          = optional(string)
    without_enlargement = optional(bool)
    shrink_on_load      = optional(string)
    prefix              = optional(string)
  }))
  default = []

  validation {
    condition     = length(var.variants) <= 16
    error_message = "variants may list at most 16 outputs per upload."
  }
  validation {
    condition     = alltrue([for v in var.variants : can(regex("^[a-z0-9_-]{1,32}$", v.name))]) && length(distinct([for v in var.variants : v.name])) == length(var.variants)
    error_message = "Every variant needs a unique name of 1..32 characters a-z, 0-9, _ and -."
  }
  validation {
    condition     = alltrue([for v in var.variants : length(v.size) == 2 && alltrue([for side in v.size : side >= 1 && side <= 16383 && floor(side) == side])])
    error_message = "Every variant's size must be [width, height] with whole numbers within 1..16383."
  }
  validation {
    condition = alltrue([for v in var.variants : (
      contains(["fill", "cover", "contain", "inside"], v.fit == null ? "fill" : v.fit) &&
      contains(["jpeg", "jpg", "png", "webp"], v.format == null ? "jpeg" : lower(v.format)) &&
      (v.quality == null ? true : v.quality >= 1 && v.quality <= 100 && floor(v.quality) == v.quality) &&
      contains(["fast", "accurate"], v.shrink_on_load == null ? "fast" : v.shrink_on_load) &&
      can(regex("^(#?[0-9a-fA-F]{6}|white|black)$", v.background == null ? "white" : v.background))
    )])
    error_message = "A variant's fit must be fill, cover, contain or inside; format jpeg, jpg, png or webp; quality a whole number 1..100; shrink_on_load fast or accurate; background #rrggbb, white or black."
  }
  validation {
    condition = alltrue([for v in var.variants : v.prefix == null ? true : (
      !startswith(v.prefix, "/") && length(v.prefix) <= 256 &&
      !contains(split("/", v.prefix), ".") && !contains(split("/", v.prefix), "..")
    )])
    error_message = "A variant's prefix must not start with '/' nor contain a . or .. segment, and is at most 256 characters."
  }
}

variable "keep_extension" {
  description = "Keep the input's extension in output keys (KEEP_EXTENSION): photo.png becomes photo.png.jpg, so photo.jpg and photo.png in one folder get two outputs instead of overwriting one."
  type        = bool
  default     = false
}

variable "shrink_on_load" {
  description = "How far JPEG decoding may shrink before the resize (SHRINK_ON_LOAD): fast (decode to just above the target, the cheapest) or accurate (3x the target, closer to a full-resolution resize on fine textures, 1.0-1.3x the time of fast on the JPEG benchmark classes)."
  type        = string
  default     = "fast"

  validation {
    condition     = contains(["fast", "accurate"], var.shrink_on_load)
    error_message = "shrink_on_load must be fast or accurate."
  }
}

variable "fit" {
  description = "How the image is mapped onto the target box: fill (exact size, aspect ignored, the tutorial's behaviour), cover (crop), contain (pad with background) or inside (fit within, no padding)."
  type        = string
  default     = "fill"

  validation {
    condition     = contains(["fill", "cover", "contain", "inside"], var.fit)
    error_message = "fit must be one of fill, cover, contain, inside."
  }
}

variable "output_format" {
  description = "Encoding of the output images: jpeg (or jpg), png or webp. The output key gets the matching extension and Content-Type."
  type        = string
  default     = "jpeg"

  validation {
    condition     = contains(["jpeg", "jpg", "png", "webp"], var.output_format)
    error_message = "output_format must be one of jpeg, jpg, png, webp."
  }
}

variable "quality" {
  description = "JPEG/WebP quality, a whole number within 1..100 (75 is Pillow's default, as in the tutorial)."
  type        = number
  default     = 75

  validation {
    condition     = var.quality >= 1 && var.quality <= 100 && floor(var.quality) == var.quality
    error_message = "quality must be a whole number within 1..100."
  }
}

variable "grayscale" {
  description = "Convert to grayscale (ITU-R 601 luma), as the tutorial does."
  type        = bool
  default     = true
}

variable "background" {
  description = "Colour that transparency is flattened onto and that contain pads with: #rrggbb, rrggbb, white or black."
  type        = string
  default     = "#ffffff"

  validation {
    condition     = can(regex("^(#?[0-9A-Fa-f]{6}|white|black)$", var.background))
    error_message = "background must be #rrggbb, rrggbb, white or black."
  }
}

variable "without_enlargement" {
  description = "Never upscale: images already smaller than the target keep their size."
  type        = bool
  default     = false
}

variable "max_input_bytes" {
  description = "Largest accepted upload in bytes; bigger objects are skipped before download. Default: the core's 64 MiB."
  type        = number
  default     = 67108864

  validation {
    condition     = var.max_input_bytes >= 1 && floor(var.max_input_bytes) == var.max_input_bytes
    error_message = "max_input_bytes must be a whole number of bytes, 1 or more."
  }
}

variable "max_input_pixels" {
  description = "Largest accepted width*height, checked from the image header before any pixel is decoded. Default: the core's 100 megapixels."
  type        = number
  default     = 100000000

  validation {
    condition     = var.max_input_pixels >= 1 && floor(var.max_input_pixels) == var.max_input_pixels
    error_message = "max_input_pixels must be a whole number of pixels, 1 or more."
  }
}

variable "max_progressive_pixels" {
  description = "Largest accepted progressive JPEG in pixels (counted at 3 bytes of DCT coefficients each: libjpeg keeps them all, whatever the output size). Default: the core's 16 megapixels, about 48 MB."
  type        = number
  default     = 16000000

  validation {
    condition     = var.max_progressive_pixels >= 1 && floor(var.max_progressive_pixels) == var.max_progressive_pixels
    error_message = "max_progressive_pixels must be a whole number of pixels, 1 or more."
  }
}

variable "max_interlaced_pixels" {
  description = "Largest accepted interlaced PNG and GIF in pixels (they need a full-size buffer). Default: the core's 12 megapixels."
  type        = number
  default     = 12000000

  validation {
    condition     = var.max_interlaced_pixels >= 1 && floor(var.max_interlaced_pixels) == var.max_interlaced_pixels
    error_message = "max_interlaced_pixels must be a whole number of pixels, 1 or more."
  }
}

variable "max_lossless_webp_pixels" {
  description = "Largest accepted lossless WebP, or lossy WebP with alpha, in pixels (libwebp holds the whole lossless frame as 32-bit ARGB, and a lossy frame's alpha at up to 5 bytes a pixel, whatever the output size). Default: the core's 9 megapixels, under 64 MB for the whole process."
  type        = number
  default     = 9000000

  validation {
    condition     = var.max_lossless_webp_pixels >= 1 && floor(var.max_lossless_webp_pixels) == var.max_lossless_webp_pixels
    error_message = "max_lossless_webp_pixels must be a whole number of pixels, 1 or more."
  }
}

variable "output_prefix" {
  description = "Prefix prepended to every output key (\"thumbs/\" turns a/cat.jpg into thumbs/a/cat.jpg); \"\" keeps the input key."
  type        = string
  default     = ""

  validation {
    condition     = length(var.output_prefix) <= 512 && !startswith(var.output_prefix, "/")
    error_message = "output_prefix must be at most 512 characters and must not start with '/'."
  }
}

variable "cache_control" {
  description = "Cache-Control header stored with every output image; \"\" sends none."
  type        = string
  default     = "public, max-age=86400"

  validation {
    # A header value cannot carry control characters (CR/LF would split the request).
    condition     = length(var.cache_control) <= 256 && can(regex("^[ -~]*$", var.cache_control))
    error_message = "cache_control must be at most 256 printable ASCII characters."
  }
}

################################################################################
# Lambda function
################################################################################

variable "lambda_function_name" {
  description = "Name of the Lambda function; the IAM role, its policy, the log group and the dead-letter queue are named from it, so two deployments can share an account. Same name as in the tutorial."
  type        = string
  default     = "imgpipe"

  validation {
    # 59 leaves room for the "-role" suffix within IAM's 64-character role name limit.
    condition     = can(regex("^[A-Za-z0-9_-]{1,59}$", var.lambda_function_name))
    error_message = "lambda_function_name must be 1..59 characters of A-Z, a-z, 0-9, '_' and '-'."
  }
}

variable "lambda_zip_path" {
  description = "Path of the deployment package written by `make package` (dist/lambda.zip at the repository root). It must exist when terraform plans."
  type        = string

  validation {
    condition     = endswith(var.lambda_zip_path, ".zip")
    error_message = "lambda_zip_path must name a .zip file (make package writes dist/lambda.zip)."
  }
}

variable "architectures" {
  description = "Instruction set of the function: [\"x86_64\"] (what make package builds on an x86_64 host) or [\"arm64\"] (needs a package built for arm64)."
  type        = list(string)
  default     = ["x86_64"]

  validation {
    condition     = length(var.architectures) == 1 && alltrue([for arch in var.architectures : contains(["x86_64", "arm64"], arch)])
    error_message = "architectures must be exactly one of [\"x86_64\"] or [\"arm64\"]."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (CPU share scales with it: one vCPU at 1,769), a whole number within 128..10240. The default, 256, is the smallest size that holds two records at once (the default concurrency) of the largest inputs the limits admit, measured on the Lambda path: about 138 MiB for two bodies at MAX_INPUT_BYTES read whole (HEIF; lossless, alpha, animated or EXIF-tagged WebP; 118 MiB for two 54 MiB ones), 206 MiB for two lossless WebPs at MAX_LOSSLESS_WEBP_PIXELS padded to MAX_INPUT_BYTES (the worst measured), 117 MiB for two alpha WebPs at that limit, 101 MiB for two progressive JPEGs at MAX_PROGRESSIVE_PIXELS, about 210 MiB estimated for two 12 MP HEICs; baseline JPEGs, PNGs, GIFs and lossy WebPs stream in under 12 MiB (terraform/README.md, \"Costs per million images\"). More memory buys latency, not savings."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB within 128..10240."
  }
}

variable "concurrency" {
  description = "Records of one invocation (an SQS batch, S3 Batch Operations tasks) the function processes at once, a whole number within 1..16 (CONCURRENCY; src/lambda/config.h kMaxConcurrency). null leaves the function's default, 2: one record's S3 round trips overlap another's decoding, which pays even below one vCPU (1,769 MB) at the memory of one more image in flight (bench/RESULTS.md, \"Concurrent records\"). 1 processes them one after the other."
  type        = number
  default     = null

  validation {
    condition     = var.concurrency == null || try(var.concurrency >= 1 && var.concurrency <= 16 && floor(var.concurrency) == var.concurrency, false)
    error_message = "concurrency must be null (the function's default) or a whole number within 1..16."
  }
}

variable "timeout" {
  description = "Timeout of one invocation in seconds, a whole number within 1..900. The function stops before the deadline and reports a retryable error."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds within 1..900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions of the function: -1 for no reservation (the account's unreserved pool), 0 to stop all invocations, or a positive cap."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrency >= -1 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be -1 (unreserved) or a whole number, 0 or more."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs; one of the values CloudWatch Logs accepts."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

################################################################################
# Failures
################################################################################

variable "maximum_retry_attempts" {
  description = "How many times Lambda retries a failed asynchronous (S3-triggered) invocation before sending it to the dead-letter queue, within 0..2."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 2 && floor(var.maximum_retry_attempts) == var.maximum_retry_attempts
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "maximum_event_age_seconds" {
  description = "Oldest an S3 event may get while Lambda retries it before it goes to the dead-letter queue, in seconds within 60..21600."
  type        = number
  default     = 21600

  validation {
    condition     = var.maximum_event_age_seconds >= 60 && var.maximum_event_age_seconds <= 21600 && floor(var.maximum_event_age_seconds) == var.maximum_event_age_seconds
    error_message = "maximum_event_age_seconds must be a whole number within 60..21600."
  }
}

variable "dead_letter_retention_seconds" {
  description = "How long the dead-letter SQS queue keeps failed events, in seconds within 60..1209600 (14 days, the SQS maximum and the default)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_retention_seconds >= 60 && var.dead_letter_retention_seconds <= 1209600 && floor(var.dead_letter_retention_seconds) == var.dead_letter_retention_seconds
    error_message = "dead_letter_retention_seconds must be a whole number within 60..1209600."
  }
}

################################################################################
# Common
################################################################################

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}

variable "cloudfront_price_class" {
  description = "output_access = cloudfront: which edge locations serve the images (PriceClass_100 is North America and Europe, the cheapest)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}
