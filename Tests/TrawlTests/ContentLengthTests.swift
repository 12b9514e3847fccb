import Testing

@testable import Trawl

@Suite struct ContentLengthTests {
    @Test(arguments: [("0", 0), ("42", 42), ("007", 7), ("3, 3", 3), ("3,3,3", 3), (" 5 ", 5)])
    func plainAndRepeatedLengthsParse(_ text: String, _ length: Int) {
        #expect(ContentLength.parse(text.utf8) == length)
    }

    @Test(arguments: ["", " ", "+3", "-1", "3 5", "3, 5", "3,", ",3", "0x10", "1e3", "99999999999999999999999"])
    func anythingElseIsRefused(_ text: String) {
        #expect(ContentLength.parse(text.utf8) == nil)
    }
}
