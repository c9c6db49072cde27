"""Vietnamese for the duplicates queue: candidate pairs, the side-by-side comparison, merging after a
confirmation, and "not duplicates" decisions."""
VI = {
    "A pair needs two different records (record {record_id} was given twice).":
        "Một cặp cần hai biểu ghi khác nhau (biểu ghi {record_id} được đưa hai lần).",
    "Back to the comparison": "Quay lại trang so sánh",
    "Back to the duplicates queue": "Quay lại danh sách biểu ghi nghi trùng",
    "Becomes a redirect to it": "Trở thành đường dẫn chuyển tới biểu ghi được giữ",
    "Choose which of records {first} and {second} to keep.": "Hãy chọn giữ biểu ghi {first} hay biểu ghi {second}.",
    "Compare records {first} and {second}": "So sánh biểu ghi {first} và {second}",
    "Copies: {count}": "Bản sách: {count}",
    "Decide": "Quyết định",
    "Decided by": "Người quyết định",
    "Different editions": "Khác lần xuất bản",
    "Different first authors": "Khác tác giả đầu",
    "Different languages": "Khác ngôn ngữ",
    "Different subtitles": "Khác phụ đề",
    "Different titles proper": "Khác nhan đề chính",
    "Different types of material": "Khác loại tài liệu",
    "Different volume or part numbers": "Khác số tập hoặc số phần",
    "Different years": "Khác năm xuất bản",
    "Digital objects: {count}": "Tài liệu số: {count}",
    "Do not merge": "Không gộp",
    "Field": "Trường",
    "Identifiers: {count}": "Số định danh: {count}",
    "Its page and its MARC export lead to the kept record; it leaves the search results. Its own fields are not "
    "copied: edit the kept record afterwards if it lacks something.":
        "Trang của nó và bản xuất MARC sẽ dẫn tới biểu ghi được giữ; nó không còn trong kết quả tìm kiếm. Các trường "
        "của nó không được chép sang: nếu biểu ghi được giữ còn thiếu gì, hãy sửa sau khi gộp.",
    "Keep record {keep}, merge record {other} into it…": "Giữ biểu ghi {keep}, gộp biểu ghi {other} vào…",
    "Kept": "Được giữ",
    "Libraries of the copies": "Thư viện có bản sách",
    "Marked not duplicates by {name} on {when}.": "{name} đã đánh dấu là không trùng lúc {when}.",
    "Merge record {other} into record {keep}": "Gộp biểu ghi {other} vào biểu ghi {keep}",
    "Merge record {other} into record {keep}?": "Gộp biểu ghi {other} vào biểu ghi {keep}?",
    "Merged from record": "Gộp từ biểu ghi",
    "Merged into record": "Đã gộp vào biểu ghi",
    "No pair has been marked not duplicates.": "Chưa có cặp nào được đánh dấu là không trùng.",
    "Not a duplicate of record": "Không trùng với biểu ghi",
    "Not duplicates: different books": "Không trùng: hai sách khác nhau",
    "Only one has a subtitle": "Chỉ một biểu ghi có phụ đề",
    "Pairs marked not duplicates": "Các cặp đã đánh dấu không trùng",
    "Pairs of records that may describe the same book, the most likely first: they share an ISBN, or a title with "
    "the same author and year. Open a pair to see both side by side, then merge it or mark it “not duplicates”.":
        "Các cặp biểu ghi có thể mô tả cùng một cuốn sách, cặp khả năng cao nhất đứng đầu: cùng ISBN, hoặc cùng nhan đề "
        "với cùng tác giả và năm. Mở một cặp để xem hai biểu ghi cạnh nhau, rồi gộp hoặc đánh dấu “không trùng”.",
    "Record {record_id}": "Biểu ghi {record_id}",
    "Record {record_id} has already been merged into record {other}.":
        "Biểu ghi {record_id} đã được gộp vào biểu ghi {other}.",
    "Record {record_id} has been withdrawn.": "Biểu ghi {record_id} đã bị rút khỏi mục lục.",
    "Records": "Biểu ghi",
    "Records merged into it before: {count} (they will lead to record {keep})":
        "Biểu ghi đã gộp vào nó trước đây: {count} (sẽ dẫn tới biểu ghi {keep})",
    "Records {first} and {second}": "Biểu ghi {first} và {second}",
    "Records {first} and {second} are marked as not duplicates: they leave the queue.":
        "Biểu ghi {first} và {second} đã được đánh dấu là không trùng: cặp này rời khỏi danh sách.",
    "Records {first} and {second} side by side": "Biểu ghi {first} và {second} đặt cạnh nhau",
    "Records {first} and {second} were already marked as not duplicates (by {name}).":
        "Biểu ghi {first} và {second} đã được đánh dấu là không trùng từ trước (bởi {name}).",
    "Records {keep} and {other} were changed at the same moment (one was merged or withdrawn); reload the queue.":
        "Biểu ghi {keep} và {other} vừa bị thay đổi cùng lúc (một biểu ghi đã được gộp hoặc bị rút); hãy tải lại "
        "danh sách.",
    "Same edition": "Cùng lần xuất bản",
    "Same first author": "Cùng tác giả đầu",
    "Same subtitle": "Cùng phụ đề",
    "Same title proper": "Cùng nhan đề chính",
    "Same year": "Cùng năm xuất bản",
    "Score {score}": "Điểm {score}",
    "Show only the likely pairs": "Chỉ hiện các cặp khả năng cao",
    "Show the less likely pairs too": "Hiện cả các cặp khả năng thấp",
    "System number": "Số hệ thống",
    "That decision had already been withdrawn.": "Quyết định này đã được rút lại từ trước.",
    "The decision was withdrawn: the pair may come back to the queue.":
        "Đã rút lại quyết định: cặp này có thể trở lại danh sách.",
    "The form was incomplete or expired; try again.": "Biểu mẫu thiếu thông tin hoặc đã hết hạn; hãy thử lại.",
    "The titles differ in their Vietnamese marks": "Nhan đề khác nhau ở dấu tiếng Việt",
    "Titles proper that differ from their first words": "Nhan đề chính khác nhau ngay từ những chữ đầu",
    "Their ISBNs differ: the queue never proposes these two records.":
        "ISBN của hai biểu ghi khác nhau: danh sách không bao giờ đề xuất cặp này.",
    "These pairs never come back to the queue. Withdraw a decision made by mistake: the pair is proposed again if "
    "it still looks like a duplicate.":
        "Các cặp này không bao giờ trở lại danh sách. Hãy rút lại quyết định nhầm: cặp sẽ được đề xuất lại nếu vẫn có "
        "vẻ trùng.",
    "They stay with the redirect and lead to the kept record: importing the same source record again updates record "
    "{keep}.":
        "Chúng ở lại với đường dẫn chuyển và dẫn tới biểu ghi được giữ: nhập lại cùng biểu ghi nguồn sẽ cập nhật biểu "
        "ghi {keep}.",
    "What moves to record {keep}": "Những gì chuyển sang biểu ghi {keep}",
    "Why": "Lý do",
    "Why they are different (optional)": "Vì sao hai biểu ghi khác nhau (không bắt buộc)",
    "Withdraw the decision": "Rút lại quyết định",
    "differs": "khác",
    "marked not a duplicate": "đánh dấu không trùng",
    "possibly the same book": "có thể là cùng một sách",
    "very likely the same book": "rất có thể là cùng một sách",
    "“not a duplicate” withdrawn": "rút lại “không trùng”",
    "{count} copies": "{count} bản sách",
    "{count} pairs to review": "{count} cặp cần xem xét",
}
