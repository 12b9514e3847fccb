import CTrawlCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the libcurl transport cannot be used: the library is missing, too old, or would not initialise.
public struct CurlTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence for people, naming the library.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// libcurl, opened at run time with `dlopen`, and the functions trawl calls, found once with `dlsym`.
///
/// trawl builds without curl's headers, so these are our own declarations of the C signatures. The variadic
/// `curl_easy_setopt`, `curl_easy_getinfo` and `curl_multi_setopt` are called through the fixed-arity wrappers
/// of `CTrawlCurl`, which is correct on every ABI (Apple arm64 passes variadic arguments on the stack).
/// Immutable after loading; the library is never closed.
final class LibCurl: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer

    /// The name the library was opened with.
    let name: String
    /// What `curl_version()` says, e.g. `libcurl/7.88.1 OpenSSL/3.0.15 ...`.
    let version: String

    let easyInit: @convention(c) () -> Handle?
    let easyCleanup: @convention(c) (Handle?) -> Void
    let easyStrerror: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let multiInit: @convention(c) () -> Handle?
    let multiCleanup: @convention(c) (Handle?) -> Int32
    let multiAddHandle: @convention(c) (Handle?, Handle?) -> Int32
    let multiRemoveHandle: @convention(c) (Handle?, Handle?) -> Int32
    let multiPerform: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> Int32
    /// `curl_multi_poll(multi, extra_fds, extra_nfds, timeout_ms, numfds)` (7.66.0).
    let multiPoll:
        @convention(c) (Handle?, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutablePointer<Int32>?)
            -> Int32
    /// `curl_multi_wakeup(multi)` (7.68.0): the one multi call that is safe from any thread.
    let multiWakeup: @convention(c) (Handle?) -> Int32
    let multiInfoRead: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> UnsafeMutableRawPointer?
    let slistAppend: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UnsafeMutableRawPointer?
    let slistFreeAll: @convention(c) (UnsafeMutableRawPointer?) -> Void
    /// The URL API (7.62.0); nil in older libraries, whose handles get the URL as a string.
    let urlAPI: URLAPI?
    private let easySetopt: OpaquePointer
    private let easyGetinfo: OpaquePointer
    private let multiSetoptFunction: OpaquePointer

    /// The library names tried, in order, when none is given.
    static var defaultCandidates: [String] {
        #if canImport(Darwin)
            ["libcurl.4.dylib", "/usr/lib/libcurl.4.dylib"]
        #else
            // Debian's OpenSSL build first; the GnuTLS build has the same ABI.
            ["libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"]
        #endif
    }

    /// The process-wide library, loaded and `curl_global_init`-ed once, on first use (Swift's lazy globals are
    /// thread-safe, which is what makes the one `curl_global_init` call safe).
    static let shared: Result<LibCurl, CurlTransportError> = Result { () throws(CurlTransportError) in
        try load(candidates: defaultCandidates, initialize: true)
    }

    /// Opens the first of `candidates` that loads and resolves every function trawl needs.
    /// - Parameter initialize: whether to call `curl_global_init(CURL_GLOBAL_DEFAULT)`.
    static func load(candidates: [String], initialize: Bool) throws(CurlTransportError) -> LibCurl {
        var problems: [String] = []
        for candidate in candidates {
            guard let library = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) else {
                problems.append(dlerror().map { String(cString: $0) } ?? "\(candidate): cannot be opened")
                continue
            }
            do throws(CurlTransportError) {
                let curl = try LibCurl(name: candidate, library: library)
                if initialize {
                    typealias GlobalInit = @convention(c) (CLong) -> Int32
                    let globalInit: GlobalInit = try symbol(library, "curl_global_init", in: candidate)
                    let code = globalInit(CLong(CurlCode.globalDefault))
                    if code != CurlCode.ok {
                        throw CurlTransportError(
                            "\(candidate): curl_global_init failed: \(curl.describe(code)) (code \(code))")
                    }
                }
                return curl
            } catch {
                problems.append(error.message)
            }
        }
        throw CurlTransportError(
            "libcurl could not be loaded (tried \(candidates.joined(separator: ", "))): "
                + problems.joined(separator: "; "))
    }

    private init(name: String, library: UnsafeMutableRawPointer) throws(CurlTransportError) {
        self.name = name
        easyInit = try Self.symbol(library, "curl_easy_init", in: name)
        easyCleanup = try Self.symbol(library, "curl_easy_cleanup", in: name)
        easyStrerror = try Self.symbol(library, "curl_easy_strerror", in: name)
        multiInit = try Self.symbol(library, "curl_multi_init", in: name)
        multiCleanup = try Self.symbol(library, "curl_multi_cleanup", in: name)
        multiAddHandle = try Self.symbol(library, "curl_multi_add_handle", in: name)
        multiRemoveHandle = try Self.symbol(library, "curl_multi_remove_handle", in: name)
        multiPerform = try Self.symbol(library, "curl_multi_perform", in: name)
        multiPoll = try Self.symbol(library, "curl_multi_poll", in: name, since: "7.66.0")
        multiWakeup = try Self.symbol(library, "curl_multi_wakeup", in: name, since: "7.68.0")
        multiInfoRead = try Self.symbol(library, "curl_multi_info_read", in: name)
        slistAppend = try Self.symbol(library, "curl_slist_append", in: name)
        slistFreeAll = try Self.symbol(library, "curl_slist_free_all", in: name)
        easySetopt = try Self.symbol(library, "curl_easy_setopt", in: name)
        easyGetinfo = try Self.symbol(library, "curl_easy_getinfo", in: name)
        multiSetoptFunction = try Self.symbol(library, "curl_multi_setopt", in: name)
        urlAPI = try? URLAPI(
            make: Self.symbol(library, "curl_url", in: name), set: Self.symbol(library, "curl_url_set", in: name),
            cleanup: Self.symbol(library, "curl_url_cleanup", in: name),
            strerror: try? Self.symbol(library, "curl_url_strerror", in: name))
        typealias Version = @convention(c) () -> UnsafePointer<CChar>?
        let versionFunction: Version = try Self.symbol(library, "curl_version", in: name)
        version = versionFunction().map { String(cString: $0) } ?? "libcurl"
    }

    private static func symbol<Function>(
        _ library: UnsafeMutableRawPointer, _ symbol: String, in name: String, since: String? = nil
    ) throws(CurlTransportError) -> Function {
        guard let address = dlsym(library, symbol) else {
            let needs = since.map { " (needs libcurl \($0) or later)" } ?? ""
            throw CurlTransportError("\(name) has no \(symbol)\(needs)")
        }
        return unsafeBitCast(address, to: Function.self)
    }

    /// `curl_url()`, `curl_url_set()` and `curl_url_cleanup()`: fixed-arity, so called directly.
    struct URLAPI {
        let make: @convention(c) () -> Handle?
        /// `curl_url_set(handle, part, content, flags)`, returning a `CURLUcode` (0 when it parsed).
        let set: @convention(c) (Handle?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
        let cleanup: @convention(c) (Handle?) -> Void
        /// `curl_url_strerror(code)` (7.80.0).
        let strerror: (@convention(c) (Int32) -> UnsafePointer<CChar>?)?

        /// libcurl's words for a `CURLUcode`.
        func describe(_ code: Int32) -> String {
            strerror?(code).map { String(cString: $0) } ?? "CURLUcode \(code)"
        }
    }

    // MARK: Calls through the fixed-arity wrappers

    /// `curl_easy_setopt` with a `long`.
    func setopt(_ easy: Handle, _ option: CurlOption, _ value: Int) -> Int32 {
        trawl_curl_setopt_long(easySetopt, easy, option.rawValue, CLong(truncatingIfNeeded: value))
    }

    /// `curl_easy_setopt` with a pointer (object, string or slist); libcurl copies strings but not slists.
    func setopt(_ easy: Handle, _ option: CurlOption, pointer: UnsafeRawPointer?) -> Int32 {
        trawl_curl_setopt_pointer(easySetopt, easy, option.rawValue, pointer)
    }

    /// `curl_easy_setopt` with a C string, copied by libcurl before this returns.
    func setopt(_ easy: Handle, _ option: CurlOption, string: String) -> Int32 {
        string.withCString { trawl_curl_setopt_pointer(easySetopt, easy, option.rawValue, $0) }
    }

    /// `curl_easy_setopt` with a function pointer, passed as the generic `void (*)(void)`.
    func setopt(_ easy: Handle, _ option: CurlOption, function: @convention(c) () -> Void) -> Int32 {
        trawl_curl_setopt_function(easySetopt, easy, option.rawValue, function)
    }

    /// `curl_easy_setopt` with a raw option code, for tests that check unknown codes are refused.
    func setopt(_ easy: Handle, rawOption: Int32, _ value: Int) -> Int32 {
        trawl_curl_setopt_long(easySetopt, easy, rawOption, CLong(truncatingIfNeeded: value))
    }

    /// `curl_easy_getinfo` of a `long`.
    func getinfo(_ easy: Handle, _ info: CurlInfo) -> Int? {
        var value: CLong = 0
        guard trawl_curl_getinfo_long(easyGetinfo, easy, info.rawValue, &value) == CurlCode.ok else { return nil }
        return Int(value)
    }

    /// `curl_easy_getinfo` of a pointer.
    func getinfoPointer(_ easy: Handle, _ info: CurlInfo) -> UnsafeMutableRawPointer? {
        var value: UnsafeMutableRawPointer?
        guard trawl_curl_getinfo_pointer(easyGetinfo, easy, info.rawValue, &value) == CurlCode.ok else { return nil }
        return value
    }

    /// `curl_multi_setopt` with a `long`. `CURLMoption` is an `int` and `CURLMcode` too, so the easy wrapper's
    /// signature fits.
    func multiSetopt(_ multi: Handle, _ option: CurlMultiOption, _ value: Int) -> Int32 {
        trawl_curl_setopt_long(multiSetoptFunction, multi, option.rawValue, CLong(truncatingIfNeeded: value))
    }

    /// `curl_easy_strerror` of `code`.
    func describe(_ code: Int32) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "libcurl error \(code)"
    }
}
