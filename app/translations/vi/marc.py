"""Vietnamese for the MARC area: import, export, duplicates, OAI-PMH."""
VI = {
    "A MARC-8 escape sequence is broken; unreadable characters were replaced by “�”.":
        "Một chuỗi thoát MARC-8 bị hỏng; các ký tự không đọc được đã được thay bằng “�”.",
    "A control field has no tag; it was left out: {text}": "Một trường điều khiển không có nhãn; đã bỏ qua: {text}",
    "A data field has no tag; it was left out: {text}": "Một trường dữ liệu không có nhãn; đã bỏ qua: {text}",
    "A record cannot be merged into itself.": "Không thể gộp một biểu ghi vào chính nó.",
    "Barcode {barcode} already belongs to record {record_id}; no copy was created.":
        "Mã vạch {barcode} đã thuộc về biểu ghi {record_id}; không tạo bản sách.",
    "Barcode {barcode} is longer than 64 characters; no copy was created.":
        "Mã vạch {barcode} dài quá 64 ký tự; không tạo bản sách.",
    "Byte offset": "Vị trí byte",
    "Conflicts kept apart": "Xung đột được để riêng",
    "Copies added": "Bản sách đã thêm",
    "Created": "Tạo mới",
    "Download": "Tải về",
    "Duplicates": "Biểu ghi trùng",
    "Field {tag} has a subfield with an invalid code ({code}); it was kept as $?.":
        "Trường {tag} có một trường con với mã không hợp lệ ({code}); đã giữ lại dưới mã $?.",
    "Field {tag} has a subfield without a code; it was kept as $?.":
        "Trường {tag} có một trường con không có mã; đã giữ lại dưới mã $?.",
    "Field {tag} has {count} indicators instead of 2; blanks were used.":
        "Trường {tag} có {count} chỉ thị thay vì 2; đã dùng khoảng trắng.",
    "Field {tag} points past the end of the record.": "Trường {tag} trỏ ra ngoài cuối biểu ghi.",
    "File": "Tệp",
    "File {file} cannot be opened ({reason}).": "Không mở được tệp {file} ({reason}).",
    "File {file} does not exist.": "Tệp {file} không tồn tại.",
    "File {file} is XML but holds no MARCXML record.": "Tệp {file} là XML nhưng không chứa biểu ghi MARCXML nào.",
    "File {file} is empty.": "Tệp {file} trống.",
    "File {file} is not MARC (neither ISO 2709 nor MARCXML).": "Tệp {file} không phải MARC (không là ISO 2709, cũng không là MARCXML).",
    "Files": "Tệp",
    "Holdings field {tag} (barcode {barcode}) names no library and no --library was given; no copy was created.":
        "Trường vốn tư liệu {tag} (mã vạch {barcode}) không ghi thư viện và không có --library; không tạo bản sách.",
    "Holdings field {tag} has no barcode ($p); no copy was created.":
        "Trường vốn tư liệu {tag} không có mã vạch ($p); không tạo bản sách.",
    "ISBN": "ISBN",
    "Import": "Nhập",
    "Import MARC": "Nhập MARC",
    "Import another file": "Nhập tệp khác",
    "Import report": "Báo cáo nhập",
    "Library for copies whose holdings name none": "Thư viện cho các bản sách không ghi thư viện",
    "MARC file (ISO 2709 .mrc/.dat or MARCXML .xml)": "Tệp MARC (ISO 2709 .mrc/.dat hoặc MARCXML .xml)",
    "MARC import: {name}": "Nhập MARC: {name}",
    "Matched by": "Trùng theo",
    "Matched by rule: {rule}.": "Trùng theo quy tắc: {rule}.",
    "No import problem with id {problem_id}.": "Không có dòng báo cáo nhập nào mang số {problem_id}.",
    "No import with id {run_id}.": "Không có lần nhập nào mang số {run_id}.",
    "No probable duplicates.": "Không có biểu ghi nghi trùng.",
    "None.": "Không có.",
    "Only live records can be merged (record {record_id} is deleted).":
        "Chỉ gộp được các biểu ghi còn hiệu lực (biểu ghi {record_id} đã bị xóa).",
    "Probable duplicates": "Biểu ghi nghi trùng",
    "Raw bytes": "Dữ liệu gốc",
    "Reason": "Lý do",
    "Recent imports": "Các lần nhập gần đây",
    "New record": "Biểu ghi mới",
    "Not merged with record {other} “{other_title}”: the identifier matches but the title and author differ. "
    "It was created as a separate record for a cataloguer to review.":
        "Không gộp với biểu ghi {other} “{other_title}”: số định danh trùng nhưng nhan đề và tác giả khác nhau. "
        "Biểu ghi được tạo riêng để người biên mục xem xét.",
    "Record": "Biểu ghi",
    "Record no.": "Biểu ghi số",
    "Record {loser} was merged into record {survivor}.": "Biểu ghi {loser} đã được gộp vào biểu ghi {survivor}.",
    "Records from the National Library, publishers, Koha or older systems. Records already in the catalogue are "
    "updated (matched by the same MARC, control number and source, 035, ISBN, then title, author and year); a match "
    "whose title and author clearly differ is kept apart as a conflict; bad records are set aside. The report lists "
    "both.":
        "Biểu ghi từ Thư viện Quốc gia, nhà xuất bản, Koha hoặc các hệ thống cũ. Biểu ghi đã có trong mục lục sẽ được "
        "cập nhật (so khớp theo đúng biểu ghi MARC, số kiểm soát và nguồn, 035, ISBN, rồi nhan đề, tác giả và năm); "
        "biểu ghi trùng số nhưng nhan đề và tác giả khác hẳn được để riêng như một xung đột; biểu ghi hỏng được để "
        "riêng. Báo cáo liệt kê cả hai.",
    "Records read": "Biểu ghi đã đọc",
    "Rejected": "Bị loại",
    "Rejected records": "Biểu ghi bị loại",
    "Review probable duplicates": "Xem các biểu ghi nghi trùng",
    "Same ISBN": "Cùng ISBN",
    "Some bytes are not valid UTF-8; they were replaced by “�”.":
        "Một số byte không phải UTF-8 hợp lệ; đã được thay bằng “�”.",
    "Strict import: bad records were found, so nothing was written.":
        "Nhập nghiêm ngặt: có biểu ghi hỏng nên không ghi gì vào mục lục.",
    "Strict: write nothing if any record is bad": "Nghiêm ngặt: không ghi gì nếu có biểu ghi hỏng",
    "The file ends in the middle of this record ({size} bytes, no end-of-record mark): the file was cut short.":
        "Tệp kết thúc giữa biểu ghi này ({size} byte, không có dấu kết thúc biểu ghi): tệp bị cắt cụt.",
    "The bytes of this rejected record could not be kept: the data folder cannot be written ({reason}).":
        "Không giữ được dữ liệu gốc của biểu ghi bị loại này: không ghi được vào thư mục dữ liệu ({reason}).",
    "The file {name} could not be saved: the data folder cannot be written ({reason}). Nothing was imported; ask the "
    "administrator to make the data folder writable, then try again.":
        "Không lưu được tệp {name}: không ghi được vào thư mục dữ liệu ({reason}). Chưa nhập gì; hãy nhờ quản trị viên "
        "cho phép ghi vào thư mục dữ liệu rồi thử lại.",
    "The uploaded file {name} is no longer in the data folder; upload it again.":
        "Tệp tải lên {name} không còn trong thư mục dữ liệu; hãy tải lên lại.",
    "The import of {name} stopped: the data folder could not be read or written ({reason}). Records imported before "
    "this point are kept; ask the administrator to check the data folder, then import the file again.":
        "Việc nhập {name} đã dừng: không đọc hoặc ghi được thư mục dữ liệu ({reason}). Các biểu ghi đã nhập trước đó "
        "vẫn được giữ; hãy nhờ quản trị viên kiểm tra thư mục dữ liệu rồi nhập lại tệp.",
    "The leader gives a wrong record length ({declared} instead of {actual}).":
        "Đầu biểu ghi ghi sai độ dài biểu ghi ({declared} thay vì {actual}).",
    "The leader gives the data a wrong start ({declared} instead of {actual}); the real position was used.":
        "Đầu biểu ghi ghi sai vị trí bắt đầu dữ liệu ({declared} thay vì {actual}); đã dùng vị trí thật.",
    "The leader is damaged ({leader}); it was repaired.": "Đầu biểu ghi bị hỏng ({leader}); đã được sửa.",
    "The leader says MARC-8 but the text is UTF-8; it was read as UTF-8.":
        "Đầu biểu ghi ghi MARC-8 nhưng văn bản là UTF-8; đã đọc theo UTF-8.",
    "The leader says UTF-8 but the text is MARC-8; it was converted from MARC-8.":
        "Đầu biểu ghi ghi UTF-8 nhưng văn bản là MARC-8; đã chuyển đổi từ MARC-8.",
    "The merge form was incomplete or expired; try again.": "Biểu mẫu gộp thiếu thông tin hoặc đã hết hạn; hãy thử lại.",
    "The quarantined bytes are gone.": "Dữ liệu gốc được cách ly không còn nữa.",
    "The record could not be mapped ({reason}).": "Không chuyển đổi được biểu ghi ({reason}).",
    "The record has bytes that are not valid {encoding}.": "Biểu ghi có byte không hợp lệ theo {encoding}.",
    "The record has no directory (no field terminator after the leader).":
        "Biểu ghi không có danh mục (không có dấu kết thúc trường sau đầu biểu ghi).",
    "The record has no fields.": "Biểu ghi không có trường nào.",
    "The record has no title (245 $a) nor heading; it was stored as “{title}”.":
        "Biểu ghi không có nhan đề (245 $a) hay tiêu đề nào; đã lưu với tên “{title}”.",
    "The record is not well-formed XML ({reason}).": "Biểu ghi không phải XML hợp lệ ({reason}).",
    "The record is too short to be MARC ({size} bytes).": "Biểu ghi quá ngắn để là MARC ({size} byte).",
    "The record's directory is damaged (entry {number}: {entry}).": "Danh mục của biểu ghi bị hỏng (mục {number}: {entry}).",
    "The record's directory is damaged ({size} bytes, not a multiple of 12).":
        "Danh mục của biểu ghi bị hỏng ({size} byte, không phải bội số của 12).",
    "The record's directory was damaged (one byte too many or too few); it was repaired.":
        "Danh mục của biểu ghi bị hỏng (thừa hoặc thiếu một byte); đã được sửa.",
    "The text is neither MARC-8 nor UTF-8; it was read as {encoding}.":
        "Văn bản không phải MARC-8 cũng không phải UTF-8; đã đọc theo {encoding}.",
    "The record's directory had lost its end mark; the leader's base address was used.":
        "Danh mục của biểu ghi mất dấu kết thúc; đã dùng địa chỉ cơ sở ghi ở đầu biểu ghi.",
    "Some text was encoded as UTF-8 twice (“{text}”); it was repaired.":
        "Một phần văn bản bị mã hóa UTF-8 hai lần (“{text}”); đã được sửa.",
    "This import is still running.": "Lần nhập này vẫn đang chạy.",
    "This record is not closed (no </record>): the file is cut short or broken.":
        "Biểu ghi này không được đóng (thiếu </record>): tệp bị cắt cụt hoặc hỏng.",
    "Unchanged": "Không đổi",
    "Unknown library code {code} in field {tag} (barcode {barcode}); no copy was created.":
        "Mã thư viện {code} trong trường {tag} (mã vạch {barcode}) không tồn tại; không tạo bản sách.",
    "Unknown library code {code} in field {tag} (barcode {barcode}); the copy was put in {library}.":
        "Mã thư viện {code} trong trường {tag} (mã vạch {barcode}) không tồn tại; bản sách được đưa vào {library}.",
    "Updated": "Cập nhật",
    "Updated records": "Biểu ghi được cập nhật",
    "Warning": "Cảnh báo",
    "Warnings": "Cảnh báo",
    "With warnings": "Có cảnh báo",
    "{size} bytes from byte {offset} hold no MARC record ({pieces} pieces with no leader); they were set aside as one "
    "piece. Records before and after them were read.":
        "{size} byte từ byte {offset} không chứa biểu ghi MARC nào ({pieces} đoạn không có đầu biểu); chúng được để riêng "
        "thành một phần. Các biểu ghi trước và sau đã được đọc.",
    "control number and source (001/003)": "số kiểm soát và nguồn (001/003)",
    "control number (001, no 003) from a file of the same name": "số kiểm soát (001, không có 003) từ tệp cùng tên",
    "strict": "nghiêm ngặt",
    "system number (035)": "số hệ thống (035)",
    "the very same MARC record": "đúng biểu ghi MARC ấy",
    "title, author and year": "nhan đề, tác giả và năm",
    "— none —": "— không chọn —",
}
