import Foundation

/// The "retry until valid" checks of the command line: `--expect-status`, `--expect-body` and `--expect-json`.
///
/// A 2xx answer that fails any check is retried with the usual backoff; if no attempt passes, the record
/// fails with kind `validation` and a message saying what did not match.
public struct Expectations: ResponseEvaluator {
    /// Statuses a 2xx answer must have (`--expect-status`); empty: any 2xx.
    public var statuses: Set<Int> = []
    /// A regular expression the body must match (`--expect-body`).
    public var bodyPattern: NSRegularExpression?
    /// Dotted paths into a JSON body and the values they must hold (`--expect-json PATH=VALUE`).
    public var json: [(path: [String], value: String)] = []

    /// No checks.
    public init() {}

    /// Adds `--expect-body REGEX`.
    /// - Throws: when the pattern does not compile.
    public mutating func expectBody(matching pattern: String) throws {
        bodyPattern = try NSRegularExpression(pattern: pattern)
    }

    /// Adds `--expect-json PATH=VALUE`; returns `false` when the text has no `=`.
    @discardableResult
    public mutating func expectJSON(_ assignment: String) -> Bool {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else { return false }
        let path = assignment[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        json.append((path, String(assignment[assignment.index(after: equals)...])))
        return true
    }

    /// Whether any check is set.
    public var isEmpty: Bool { statuses.isEmpty && bodyPattern == nil && json.isEmpty }

    /// Whether the checks read the body (a regular expression or a JSON path).
    public var needsBody: Bool { bodyPattern != nil || !json.isEmpty }

    public func evaluate(_ response: TransportResponse) -> Evaluation {
        if !statuses.isEmpty && !statuses.contains(response.status) {
            return .retry(
                "status \(response.status) is not one of \(statuses.sorted().map(String.init).joined(separator: ","))")
        }
        if let bodyPattern {
            let text = String(decoding: response.body, as: UTF8.self)
            if bodyPattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                return .retry("the body does not match /\(bodyPattern.pattern)/")
            }
        }
        if !json.isEmpty {
            guard
                let document = try? JSONSerialization.jsonObject(
                    with: Data(response.body), options: [.fragmentsAllowed])
            else { return .retry("the body is not JSON") }
            for (path, expected) in json {
                let dotted = path.joined(separator: ".")
                guard let found = Self.lookUp(path, in: document) else {
                    return .retry("\(dotted) is missing from the JSON body")
                }
                let actual = Self.text(of: found)
                if actual != expected { return .retry("\(dotted) is \(actual), expected \(expected)") }
            }
        }
        return .accept
    }

    static func lookUp(_ path: [String], in document: Any) -> Any? {
        var current: Any = document
        for key in path {
            if let object = current as? [String: Any], let next = object[key] {
                current = next
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    static func text(of value: Any) -> String {
        switch value {
        case let string as String: return string
        case is NSNull: return "null"
        case let number as NSNumber:
            // JSONSerialization gives booleans as a distinct NSNumber subclass on every platform.
            if String(describing: type(of: number)) == "__NSCFBoolean" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default:
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                return "\(value)"
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
