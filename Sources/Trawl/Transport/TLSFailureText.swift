import Foundation

/// Turns the TLS library's wording (as libcurl relays it, also through URLSession on Linux) into a sentence a
/// person understands: `certificate has expired`, `hostname mismatch: ...`, `self-signed certificate`.
enum TLSFailureText {
    /// A readable message for a TLS failure whose raw text is `text`.
    /// - Parameter handshake: whether libcurl reported the failure as a handshake error (`CURLE_SSL_CONNECT_ERROR`)
    ///   rather than a verification one; unknown texts are then prefixed with "TLS handshake failed".
    static func describe(_ text: String, handshake: Bool = false) -> String {
        let lower = text.lowercased()
        if lower.contains("certificate has expired") { return "certificate has expired" }
        if lower.contains("certificate is not yet valid") { return "certificate is not yet valid" }
        if lower.contains("certificate revoked") { return "certificate has been revoked" }
        if lower.contains("self-signed certificate in certificate chain")
            || lower.contains("self signed certificate in certificate chain")
        {
            return "self-signed certificate in the chain: its root CA is not trusted"
        }
        if lower.contains("self-signed certificate") || lower.contains("self signed certificate") {
            return "self-signed certificate"
        }
        if lower.contains("unable to get local issuer certificate")
            || lower.contains("unable to get issuer certificate")
            || lower.contains("unable to verify the first certificate")
        {
            return "certificate signed by an unknown authority (its issuer is not among the trusted CAs)"
        }
        // "SSL: no alternative certificate subject name matches target host name '127.0.0.2'"
        if lower.contains("no alternative certificate subject name matches") {
            let host = quoted(in: text, after: "host name").map { " \($0)" } ?? ""
            return "hostname mismatch: the certificate is not valid for\(host)"
        }
        // "SSL: certificate subject name 'a.example' does not match target host name 'b.example'"
        if lower.contains("does not match target host name") {
            let subject = quoted(in: text, after: "subject name") ?? "another name"
            let host = quoted(in: text, after: "host name") ?? "this host"
            return "hostname mismatch: the certificate is for \(subject), not \(host)"
        }
        if lower.contains("wrong version number") {
            return "TLS handshake failed: the server did not answer in TLS (is it plain HTTP?)"
        }
        var detail = text
        for prefix in ["SSL certificate problem: ", "SSL: "] where detail.hasPrefix(prefix) {
            detail.removeFirst(prefix.count)
        }
        return handshake ? "TLS handshake failed: \(detail)" : "TLS verification failed: \(detail)"
    }

    /// The text between the first pair of single quotes after `marker`.
    private static func quoted(in text: String, after marker: String) -> String? {
        guard let markerRange = text.range(of: marker),
            let open = text[markerRange.upperBound...].firstIndex(of: "'")
        else { return nil }
        let start = text.index(after: open)
        guard let close = text[start...].firstIndex(of: "'") else { return nil }
        return String(text[start..<close])
    }
}
