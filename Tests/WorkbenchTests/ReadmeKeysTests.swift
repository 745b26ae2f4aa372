import Foundation
import TestSupport
import Testing
import Workbench

@Suite struct ReadmeKeysTests {
    /// The README's key list is the keymap table's own Markdown
    /// (regenerate it with `glimpse keys`).
    @Test func readmeListsEveryBindingFromTheKeymap() throws {
        let readme = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(Keymap.markdown()))
    }
}
