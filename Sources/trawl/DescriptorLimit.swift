import Foundation

/// The process's limit on open descriptors, which a crawl needs one of per connection.
enum DescriptorLimit {
    /// Raises the soft limit to `needed` where the hard limit allows (as Go's runtime does at start-up); returns
    /// the limit if it is still below `needed`, `nil` when it suffices or cannot be read.
    static func raise(toAtLeast needed: Int) -> Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = rlim_t(needed)
        guard limit.rlim_cur < wanted else { return nil }
        var raised = limit
        raised.rlim_cur = min(wanted, limit.rlim_max)
        if setrlimit(resource, &raised) == 0 {
            limit = raised
        } else {
            #if canImport(Darwin)
                // macOS refuses a soft limit past kern.maxfilesperproc even under an unlimited hard one: ask for
                // OPEN_MAX (10,240) at most instead.
                raised.rlim_cur = min(raised.rlim_cur, 10_240)
                if setrlimit(resource, &raised) == 0 { limit = raised }
            #endif
        }
        return limit.rlim_cur < wanted ? Int(limit.rlim_cur) : nil
    }

    #if canImport(Glibc)
        private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        private static let resource = RLIMIT_NOFILE
    #endif
}
