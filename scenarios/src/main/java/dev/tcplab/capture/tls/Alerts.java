package dev.tcplab.capture.tls;

/** Alert level and description names: RFC 8446 §6, plus the TLS 1.2 and earlier codes it retired. */
final class Alerts {
  private Alerts() {}

  static final int CLOSE_NOTIFY = 0;

  static String levelName(int level) {
    return switch (level) {
      case 1 -> "warning";
      case 2 -> "fatal";
      default -> "unknown(" + level + ")";
    };
  }

  static String descriptionName(int d) {
    return switch (d) {
      case 0 -> "close_notify";
      case 10 -> "unexpected_message";
      case 20 -> "bad_record_mac";
      case 21 -> "decryption_failed_RESERVED";
      case 22 -> "record_overflow";
      case 30 -> "decompression_failure_RESERVED";
      case 40 -> "handshake_failure";
      case 41 -> "no_certificate_RESERVED";
      case 42 -> "bad_certificate";
      case 43 -> "unsupported_certificate";
      case 44 -> "certificate_revoked";
      case 45 -> "certificate_expired";
      case 46 -> "certificate_unknown";
      case 47 -> "illegal_parameter";
      case 48 -> "unknown_ca";
      case 49 -> "access_denied";
      case 50 -> "decode_error";
      case 51 -> "decrypt_error";
      case 60 -> "export_restriction_RESERVED";
      case 70 -> "protocol_version";
      case 71 -> "insufficient_security";
      case 80 -> "internal_error";
      case 86 -> "inappropriate_fallback";
      case 90 -> "user_canceled";
      case 100 -> "no_renegotiation_RESERVED";
      case 109 -> "missing_extension";
      case 110 -> "unsupported_extension";
      case 111 -> "certificate_unobtainable_RESERVED";
      case 112 -> "unrecognized_name";
      case 113 -> "bad_certificate_status_response";
      case 114 -> "bad_certificate_hash_value_RESERVED";
      case 115 -> "unknown_psk_identity";
      case 116 -> "certificate_required";
      case 120 -> "no_application_protocol";
      default -> "unknown(" + d + ")";
    };
  }
}
