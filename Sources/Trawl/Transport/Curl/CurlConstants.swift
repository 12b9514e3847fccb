/// The numeric codes of the libcurl options, infos and results trawl uses, declared here because trawl
/// builds without curl's headers. Values from `curl/curl.h` and `curl/multi.h`; they are ABI and never change.
///
/// Option codes are a type base plus a number: long 0, object pointer 10000, function pointer 20000, off_t 30000.
enum CurlOption: Int32 {
    case writeData = 10001  // CURLOPT_WRITEDATA
    case url = 10002  // CURLOPT_URL
    case errorBuffer = 10010  // CURLOPT_ERRORBUFFER
    case writeFunction = 20011  // CURLOPT_WRITEFUNCTION
    case httpHeader = 10023  // CURLOPT_HTTPHEADER
    case headerData = 10029  // CURLOPT_HEADERDATA
    case noProgress = 43  // CURLOPT_NOPROGRESS
    case followLocation = 52  // CURLOPT_FOLLOWLOCATION
    case headerFunction = 20079  // CURLOPT_HEADERFUNCTION
    case httpGet = 80  // CURLOPT_HTTPGET
    case noSignal = 99  // CURLOPT_NOSIGNAL
    case httpContentDecoding = 158  // CURLOPT_HTTP_CONTENT_DECODING: 0 hands bodies over still coded
    case privateData = 10103  // CURLOPT_PRIVATE
    case timeoutMilliseconds = 155  // CURLOPT_TIMEOUT_MS
    case connectTimeoutMilliseconds = 156  // CURLOPT_CONNECTTIMEOUT_MS
    case protocols = 181  // CURLOPT_PROTOCOLS (bitmask; deprecated in 7.85 for PROTOCOLS_STR)
    case protocolsString = 10318  // CURLOPT_PROTOCOLS_STR (7.85.0 and later)
    case proxy = 10004  // CURLOPT_PROXY: "" disables every proxy, the environment's included
    case noProxy = 10177  // CURLOPT_NOPROXY: "" means no host bypasses the proxy (and the environment is not read)
    case caInfo = 10065  // CURLOPT_CAINFO: a PEM bundle; replaces the built-in bundle file
    case caPath = 10097  // CURLOPT_CAPATH: a directory of hashed CA certificates, searched as well as CAINFO
    case sslVerifyPeer = 64  // CURLOPT_SSL_VERIFYPEER
    case sslVerifyHost = 81  // CURLOPT_SSL_VERIFYHOST (2 = check the name, 0 = do not)
    case httpVersion = 84  // CURLOPT_HTTP_VERSION
    case curlURL = 10282  // CURLOPT_CURLU (7.63.0): the URL as a parsed CURLU handle
    case suppressConnectHeaders = 265  // CURLOPT_SUPPRESS_CONNECT_HEADERS (7.54.0)
    case dnsCacheTimeout = 92  // CURLOPT_DNS_CACHE_TIMEOUT: seconds a resolved name is kept; 0 keeps none
}

/// `CURLOPT_HTTP_VERSION` values.
enum CurlHTTPVersion {
    static let http11 = 2  // CURL_HTTP_VERSION_1_1
    static let http2OverTLS = 4  // CURL_HTTP_VERSION_2TLS: HTTP/2 offered by ALPN on https, 1.1 on http
}

/// `curl_easy_getinfo` codes: a type base (string 0x100000, long 0x200000) plus a number.
enum CurlInfo: Int32 {
    case responseCode = 0x200002  // CURLINFO_RESPONSE_CODE
    case privateData = 0x100015  // CURLINFO_PRIVATE
    case defaultCAPath = 0x10003E  // CURLINFO_CAPATH (7.84.0): the built-in CA directory
    case osErrno = 0x200019  // CURLINFO_OS_ERRNO: errno of a failed connect
}

/// `curl_multi_setopt` codes.
enum CurlMultiOption: Int32 {
    case maxConnects = 6  // CURLMOPT_MAXCONNECTS: size of the connection cache
    case maxHostConnections = 7  // CURLMOPT_MAX_HOST_CONNECTIONS
    case maxTotalConnections = 13  // CURLMOPT_MAX_TOTAL_CONNECTIONS
    case pipelining = 3  // CURLMOPT_PIPELINING: 2 = CURLPIPE_MULTIPLEX (HTTP/2 streams share a connection)
}

/// `CURLcode` values trawl tells apart, and how each failure maps to an ``ErrorKind``.
enum CurlCode {
    static let ok: Int32 = 0
    static let writeError: Int32 = 23  // CURLE_WRITE_ERROR: our write callback refused the bytes
    static let outOfMemory: Int32 = 27  // CURLE_OUT_OF_MEMORY: also a header line over CURL_MAX_HTTP_HEADER
    static let unknownOption: Int32 = 48  // CURLE_UNKNOWN_OPTION
    static let notBuiltIn: Int32 = 4  // CURLE_NOT_BUILT_IN
    static let sslConnectError: Int32 = 35  // CURLE_SSL_CONNECT_ERROR: the handshake failed

    /// `CURL_GLOBAL_DEFAULT` (`CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32`).
    static let globalDefault = 3
    /// `CURL_ERROR_SIZE`: the size `CURLOPT_ERRORBUFFER` must have.
    static let errorBufferSize = 256
    /// `CURLPROTO_HTTP | CURLPROTO_HTTPS`.
    static let httpProtocols = 3
    /// `CURLMSG_DONE`.
    static let messageDone: Int32 = 1
    static let urlPartWhole: Int32 = 0  // CURLUPART_URL
    /// CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME: what libcurl parses a CURLOPT_URL string with.
    static let urlParseFlags: UInt32 = (1 << 3) | (1 << 9)

    /// The ``ErrorKind`` of a failed transfer's `CURLcode`.
    static func kind(_ code: Int32) -> ErrorKind {
        switch code {
        case 5, 6: .dns  // COULDNT_RESOLVE_PROXY, COULDNT_RESOLVE_HOST
        case 7, 97: .connect  // COULDNT_CONNECT, PROXY (proxy handshake)
        case 28: .timeout  // OPERATION_TIMEDOUT
        case 3: .invalidURL  // URL_MALFORMAT
        // UNSUPPORTED_PROTOCOL (1) is .network: the URL's scheme was checked before, so it means an answer in an
        // unsupported HTTP version.
        // SSL_CONNECT_ERROR, PEER_FAILED_VERIFICATION (old and new), SSL_ENGINE_*, SSL_CERTPROBLEM, SSL_CIPHER,
        // USE_SSL_FAILED, SSL_CACERT_BADFILE, SSL_SHUTDOWN_FAILED, SSL_CRL_BADFILE, SSL_ISSUER_ERROR,
        // SSL_PINNEDPUBKEYNOTMATCH, SSL_INVALIDCERTSTATUS, SSL_CLIENTCERT.
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98: .tls
        // WEIRD_SERVER_REPLY, HTTP2, PARTIAL_FILE, GOT_NOTHING, SEND_ERROR, RECV_ERROR, BAD_CONTENT_ENCODING,
        // HTTP2_STREAM, and anything else.
        default: .network
        }
    }
}
