# output_access = "cloudfront": a distribution in front of the private output bucket. Origin
# Access Control signs CloudFront's requests to S3; the bucket policy (s3.tf) lets only this
# distribution read. Viewers get HTTPS only and compressed responses, and the cache keeps each
# image as long as the Cache-Control header the function stored with it (CACHE_CONTROL) says.

locals {
  cloudfront = local.output_access == "cloudfront" ? 1 : 0
  # The extension the function gives an output key (OutputExtension in the core).
  output_extension = { jpeg = "jpg", jpg = "jpg", png = "png", webp = "webp" }[var.output_format]
}

resource "aws_cloudfront_origin_access_control" "output" {
  count = local.cloudfront

  name                              = "${var.lambda_function_name}-output"
  description                       = "imgpipe ${var.lambda_function_name}: CloudFront reads ${var.output_bucket_name}"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# min_ttl 0 lets the origin's Cache-Control decide; default_ttl applies only to objects stored
# without one (cache_control = ""), max_ttl caps what a header may ask for.
resource "aws_cloudfront_cache_policy" "output" {
  count = local.cloudfront

  name        = "${var.lambda_function_name}-output"
  comment     = "Follow the Cache-Control of the resized images"
  min_ttl     = 0
  default_ttl = 86400
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_distribution" "output" {
  count = local.cloudfront

  enabled         = true
  comment         = "imgpipe ${var.lambda_function_name}: resized images of ${var.output_bucket_name}"
  is_ipv6_enabled = true
  price_class     = var.cloudfront_price_class
  tags            = var.tags

  origin {
    origin_id                = "output"
    domain_name              = aws_s3_bucket.output.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.output[0].id
    origin_path              = ""
  }

  default_cache_behavior {
    target_origin_id       = "output"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true
    cache_policy_id        = aws_cloudfront_cache_policy.output[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
