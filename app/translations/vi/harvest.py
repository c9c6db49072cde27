"""Vietnamese for harvesting partners (OAI-PMH) and Dublin Core imports."""
VI = {
    "A harvest of this source is already running; wait for it to finish.":
        "Một lần thu thập từ nguồn này đang chạy; hãy chờ nó xong.",
    "A set is a setSpec without spaces, such as library:TTVH.":
        "Tập hợp (set) là một setSpec không có khoảng trắng, ví dụ library:TTVH.",
    "Add a source": "Thêm nguồn",
    "Add the source": "Thêm nguồn này",
    "All sources": "Mọi nguồn",
    "Base URL": "Địa chỉ gốc",
    "Base URL (http:// or https://)": "Địa chỉ gốc (http:// hoặc https://)",
    "Check Identify": "Kiểm tra Identify",
    "Deleted": "Đã xóa",
    "Dublin Core import: {name}": "Nhập Dublin Core: {name}",
    "File {file} is an OAI-PMH error answer ({code}: {text}); it holds no records.":
        "Tệp {file} là một câu trả lời lỗi OAI-PMH ({code}: {text}); nó không chứa biểu ghi nào.",
    "File {file} is not Dublin Core (neither an OAI-PMH response, DC XML, nor a CSV with a title column and other "
    "Dublin Core columns).":
        "Tệp {file} không phải Dublin Core (không là câu trả lời OAI-PMH, DC XML, cũng không là CSV có cột title và "
        "các cột Dublin Core khác).",
    "File {file} is not well-formed XML ({reason}); no record could be read.":
        "Tệp {file} không phải XML hợp lệ ({reason}); không đọc được biểu ghi nào.",
    "File {file} was refused: {reason}": "Tệp {file} bị từ chối: {reason}",
    "Format": "Định dạng",
    "From": "Từ ngày",
    "Give the source a name.": "Hãy đặt tên cho nguồn.",
    "Harvest now": "Thu thập ngay",
    "Harvest partners (OAI-PMH)": "Thu thập từ đối tác (OAI-PMH)",
    "Harvest sources (OAI-PMH)": "Nguồn thu thập (OAI-PMH)",
    "Harvest: {name}": "Thu thập: {name}",
    "Harvests": "Các lần thu thập",
    "Identify": "Identify",
    "Identify answered: {name} (granularity {granularity}, deleted records: {deleted}).":
        "Identify đã trả lời: {name} (độ chi tiết ngày giờ {granularity}, biểu ghi đã xóa: {deleted}).",
    "Identify failed: {reason}": "Kiểm tra Identify không thành công: {reason}",
    "Identify not checked yet.": "Chưa kiểm tra Identify.",
    "Last harvest": "Lần thu thập gần nhất",
    "Library that owns harvested copies (marc21 holdings)":
        "Thư viện sở hữu bản sách được thu thập (vốn tư liệu marc21)",
    "MARC file (ISO 2709 .mrc/.dat or MARCXML .xml), or Dublin Core (OAI-PMH response, DC XML, CSV)":
        "Tệp MARC (ISO 2709 .mrc/.dat hoặc MARCXML .xml), hoặc Dublin Core (câu trả lời OAI-PMH, DC XML, CSV)",
    "Metadata format": "Định dạng siêu dữ liệu",
    "No harvest source with id {source_id}.": "Không có nguồn thu thập mã {source_id}.",
    "No harvest with id {run_id}.": "Không có lần thu thập mã {run_id}.",
    "No source yet.": "Chưa có nguồn nào.",
    "Not harvested yet.": "Chưa thu thập lần nào.",
    "Not merged with record {other} “{other_title}”, which it matches: that record comes from elsewhere (another "
    "source or this catalogue). It was created as a separate record for a cataloguer to review.":
        "Không gộp với biểu ghi {other} “{other_title}” dù trùng khớp: biểu ghi đó đến từ nơi khác (một nguồn khác "
        "hoặc chính mục lục này). Đã tạo thành biểu ghi riêng để cán bộ biên mục xem xét.",
    "Only an administrator can manage harvest sources.": "Chỉ quản trị viên mới quản lý được các nguồn thu thập.",
    "Partners' catalogues and repositories harvested over OAI-PMH (oai_dc or marc21). Each harvest asks only for "
    "what changed since the last one, follows the partner's pages, withdraws what the partner deleted, and keeps "
    "each record's source: a record that matches one from elsewhere is kept apart as a conflict for a cataloguer, "
    "never merged silently.":
        "Mục lục và kho dữ liệu của đối tác, thu thập qua OAI-PMH (oai_dc hoặc marc21). Mỗi lần thu thập chỉ hỏi "
        "những gì đã thay đổi từ lần trước, đi theo các trang của đối tác, rút bỏ những gì đối tác đã xóa, và giữ "
        "nguồn của từng biểu ghi: một biểu ghi trùng với biểu ghi từ nơi khác được để riêng như một xung đột cho "
        "cán bộ biên mục, không bao giờ tự động gộp.",
    "Records harvested before this point are kept; Retry goes on from the last page received.":
        "Các biểu ghi đã thu thập trước thời điểm này được giữ lại; Thử lại sẽ tiếp tục từ trang cuối cùng đã nhận.",
    "Report": "Báo cáo",
    "Schedule": "Lịch",
    "Set": "Tập hợp",
    "Set (optional)": "Tập hợp (không bắt buộc)",
    "Settings": "Cài đặt",
    "Source {name} registered. Check its Identify, then harvest.":
        "Đã đăng ký nguồn {name}. Hãy kiểm tra Identify, rồi thu thập.",
    "Source {name} saved.": "Đã lưu nguồn {name}.",
    "The XML declares a document type or entities, which OAI-PMH and Dublin Core never need; it was refused "
    "unread (a protection against hostile XML).":
        "XML này khai báo kiểu tài liệu hoặc thực thể, điều OAI-PMH và Dublin Core không bao giờ cần; nó bị từ "
        "chối mà không đọc (bảo vệ chống XML độc hại).",
    "The answer from {host} is larger than {size} MB; it was not read.":
        "Câu trả lời từ {host} lớn hơn {size} MB; không đọc.",
    "The answer from {host} is not well-formed XML ({reason}): its characters may not be in the character set it "
    "declares.":
        "Câu trả lời từ {host} không phải XML hợp lệ ({reason}): các ký tự có thể không thuộc bộ mã nó khai báo.",
    "The answer from {host} was cut off before its end ({reason}).":
        "Câu trả lời từ {host} bị cắt ngang trước khi hết ({reason}).",
    "The base URL is the address without ?verb=…: leave out what follows “?”.":
        "Địa chỉ gốc là địa chỉ không có ?verb=…: bỏ phần sau dấu “?”.",
    "The base URL must not hold a user name or password.": "Địa chỉ gốc không được chứa tên người dùng hay mật khẩu.",
    "The base URL must start with http:// or https:// and name a server, for example https://thuvien.example.vn/oai.":
        "Địa chỉ gốc phải bắt đầu bằng http:// hoặc https:// và có tên máy chủ, ví dụ https://thuvien.example.vn/oai.",
    "The file stops being well-formed XML here ({reason}): it is cut short or broken. The records before this point "
    "were read.":
        "Tệp không còn là XML hợp lệ từ đây ({reason}): tệp bị cắt ngắn hoặc hỏng. Các biểu ghi trước điểm này đã "
        "được đọc.",
    "The harvest stopped on an unexpected error.": "Việc thu thập dừng lại vì một lỗi bất ngờ.",
    "The identifier “{value}” is a link of a kind that is not allowed ({scheme}:); it was left out.":
        "Định danh “{value}” là một liên kết thuộc loại không được phép ({scheme}:); đã bỏ qua.",
    "The metadata format must be oai_dc or marc21.": "Định dạng siêu dữ liệu phải là oai_dc hoặc marc21.",
    "The next harvest asks for every record.": "Lần thu thập tới sẽ hỏi mọi biểu ghi.",
    "The next harvest asks for records changed from {date}.": "Lần thu thập tới sẽ hỏi các biểu ghi thay đổi từ {date}.",
    "The OAI-PMH record has no header identifier.": "Biểu ghi OAI-PMH không có định danh trong phần đầu (header).",
    "The record holds neither Dublin Core elements nor a MARC record.":
        "Biểu ghi không chứa yếu tố Dublin Core nào, cũng không chứa biểu ghi MARC.",
    "The schedule must be manual, daily or weekly.": "Lịch phải là thủ công, hằng ngày hoặc hằng tuần.",
    "The server {host} answered Identify without an <Identify> element.":
        "Máy chủ {host} trả lời Identify mà không có phần tử <Identify>.",
    "The server {host} answered ListRecords without a <ListRecords> element.":
        "Máy chủ {host} trả lời ListRecords mà không có phần tử <ListRecords>.",
    "The server {host} answered with XML that is not OAI-PMH ({element}).":
        "Máy chủ {host} trả lời bằng XML không phải OAI-PMH ({element}).",
    "The server {host} answered with a web page, not OAI-PMH: check the base URL (it is often …/oai).":
        "Máy chủ {host} trả lời bằng một trang web, không phải OAI-PMH: kiểm tra địa chỉ gốc (thường là …/oai).",
    "The server {host} answered with an OAI-PMH error: {code} ({text}).":
        "Máy chủ {host} trả lời bằng lỗi OAI-PMH: {code} ({text}).",
    "The server {host} answered with an error ({status}).": "Máy chủ {host} trả lời bằng một lỗi ({status}).",
    "The server {host} cannot be reached ({reason}).": "Không kết nối được máy chủ {host} ({reason}).",
    "The server {host} did not answer within {seconds} s.": "Máy chủ {host} không trả lời trong {seconds} giây.",
    "The server {host} is busy (503) and asked to come back in {seconds} s.":
        "Máy chủ {host} đang bận (503) và đề nghị quay lại sau {seconds} giây.",
    "The server {host} refused the request ({status}); check the base URL.":
        "Máy chủ {host} từ chối yêu cầu ({status}); kiểm tra địa chỉ gốc.",
    "The source deleted this record, but it has {count} copies here ({barcodes}); it was kept. Withdraw the copies, "
    "then the record, if it should go.":
        "Nguồn đã xóa biểu ghi này, nhưng ở đây nó có {count} bản sách ({barcodes}); biểu ghi được giữ lại. Nếu cần "
        "bỏ, hãy rút các bản sách rồi đến biểu ghi.",
    "This CSV row cannot be read ({reason}).": "Không đọc được dòng CSV này ({reason}).",
    "This CSV row has bytes that are not valid UTF-8 (save the file as UTF-8).":
        "Dòng CSV này có byte không hợp lệ trong UTF-8 (hãy lưu tệp dưới dạng UTF-8).",
    "This CSV row has {count} cells but the header names {columns}; the extra cells were left out.":
        "Dòng CSV này có {count} ô nhưng dòng tiêu đề chỉ có {columns} cột; các ô thừa đã bị bỏ qua.",
    "This CSV row holds no Dublin Core value.": "Dòng CSV này không có giá trị Dublin Core nào.",
    "every day": "hằng ngày",
    "every week": "hằng tuần",
    "granularity": "độ chi tiết",
    "manual only": "chỉ thủ công",
    "never": "chưa bao giờ",
    "the same OAI identifier from the same source": "cùng định danh OAI từ cùng nguồn",
}
