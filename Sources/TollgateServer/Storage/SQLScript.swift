import Foundation

/// Splits a migration file into statements, since PostgreSQL's extended protocol takes one statement at a time.
/// Understands quotes, quoted identifiers, comments and dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`).
enum SQLScript {
    static func statements(_ sql: String) -> [String] {
        let characters = Array(sql)
        var statements: [String] = []
        var current = ""
        var index = 0
        func flush() {
            let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty && !isOnlyComments(statement) { statements.append(statement) }
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "'", "\"":
                var end = index + 1
                while end < characters.count {
                    if characters[end] == character {
                        if end + 1 < characters.count && characters[end + 1] == character { end += 2; continue }
                        break
                    }
                    end += 1
                }
                current += String(characters[index...min(end, characters.count - 1)])
                index = end + 1
            case "-" where next == "-":
                while index < characters.count && characters[index] != "\n" { current.append(characters[index]); index += 1 }
            case "/" where next == "*":
                let start = index
                index += 2
                while index + 1 < characters.count && !(characters[index] == "*" && characters[index + 1] == "/") { index += 1 }
                index = min(index + 2, characters.count)
                current += String(characters[start..<index])
            case "$":
                var tagEnd = index + 1
                while tagEnd < characters.count && (characters[tagEnd].isLetter || characters[tagEnd].isNumber || characters[tagEnd] == "_") {
                    tagEnd += 1
                }
                guard tagEnd < characters.count, characters[tagEnd] == "$", !(index > 0 && characters[index - 1].isNumber) else {
                    current.append(character)
                    index += 1
                    continue
                }
                let tag = Array(characters[index...tagEnd])
                var end = tagEnd + 1
                while end + tag.count <= characters.count && Array(characters[end..<(end + tag.count)]) != tag { end += 1 }
                let stop = min(end + tag.count, characters.count)
                current += String(characters[index..<stop])
                index = stop
            case ";":
                flush()
                index += 1
            default:
                current.append(character)
                index += 1
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
