"""Vietnamese for copy cataloguing (biên mục sao chép): targets, SRU and Z39.50 searches."""
VI = {
    "003 and 035 name the source ({code}); keep them so that the record can be traced and matched again.":
        "Trường 003 và 035 ghi nguồn ({code}); hãy giữ lại để biết biểu ghi lấy từ đâu và nhận ra khi sao chép lại.",
    "A target named “{name}” already exists.": "Đã có một nguồn tên “{name}”.",
    "Add a target": "Thêm nguồn",
    "Address": "Địa chỉ",
    "Already in the catalogue:": "Đã có trong mục lục:",
    "Author (with a title)": "Tác giả (kèm nhan đề)",
    "Cannot connect to the target (the address or port is wrong, or the server is down).":
        "Không kết nối được với nguồn (sai địa chỉ hoặc cổng, hoặc máy chủ đang ngừng).",
    "Cannot connect to the target (the address or port is wrong, or the server is down): {detail}":
        "Không kết nối được với nguồn (sai địa chỉ hoặc cổng, hoặc máy chủ đang ngừng): {detail}",
    "Character set": "Bộ mã ký tự",
    "Connected to {name} in {seconds} s: the test search ({query}) found {hits} records, {read} read.":
        "Đã kết nối với {name} trong {seconds} giây: tìm thử ({query}) thấy {hits} biểu ghi, đọc được {read}.",
    "Copy cataloguing": "Biên mục sao chép",
    "Copy cataloguing (Z39.50 / SRU)": "Biên mục sao chép (Z39.50 / SRU)",
    "Copy-cataloguing targets": "Nguồn biên mục sao chép",
    "Database (Z39.50) or path (SRU)": "Cơ sở dữ liệu (Z39.50) hoặc đường dẫn (SRU)",
    "Enabled": "Đang dùng",
    "For example z3950.loc.gov or 192.168.1.20": "Ví dụ z3950.loc.gov hoặc 192.168.1.20",
    "Give the target a name.": "Hãy đặt tên cho nguồn.",
    "Host": "Máy chủ",
    "ISBN (scan or type), or title": "ISBN (quét hoặc gõ), hoặc nhan đề",
    "Last test": "Lần thử gần nhất",
    "MARC organisation code written to 003 and 035 of copied records; the name when empty.":
        "Mã tổ chức MARC ghi vào 003 và 035 của biểu ghi sao chép; để trống thì dùng tên nguồn.",
    "No copy-cataloguing target with id {target_id}.": "Không có nguồn biên mục sao chép số {target_id}.",
    "No record found.": "Không tìm thấy biểu ghi nào.",
    "No target is enabled: an administrator adds them under Copy-cataloguing targets.":
        "Chưa có nguồn nào đang dùng: quản trị viên thêm nguồn ở trang Nguồn biên mục sao chép.",
    "No target yet.": "Chưa có nguồn nào.",
    "Only administrators can manage copy-cataloguing targets.":
        "Chỉ quản trị viên mới quản lý được các nguồn biên mục sao chép.",
    "Open in the MARC view": "Mở trong dạng MARC",
    "Organisation code (for 003 and 035)": "Mã tổ chức (cho 003 và 035)",
    "Other catalogues searched over SRU or Z39.50 when a cataloguer copies a record.":
        "Các mục lục khác được tìm qua SRU hoặc Z39.50 khi người biên mục sao chép biểu ghi.",
    "Over Z39.50 records come as MARC21 (ISO 2709); MARCXML and Dublin Core are for SRU.":
        "Qua Z39.50 biểu ghi đến dưới dạng MARC21 (ISO 2709); MARCXML và Dublin Core dành cho SRU.",
    "Port": "Cổng",
    "Protocol": "Giao thức",
    "Record syntax": "Khổ mẫu biểu ghi",
    "Record {id} created from {source}.": "Đã tạo biểu ghi {id} từ {source}.",
    "Record {id} updated from {source}.": "Đã cập nhật biểu ghi {id} từ {source}.",
    "Record {position} is not readable MARC: {reason}": "Biểu ghi {position} không đọc được như MARC: {reason}",
    "Record {position}: the target could not send it ({message}).":
        "Biểu ghi {position}: nguồn không gửi được ({message}).",
    "Records": "Biểu ghi",
    "Replace record {id} with this one (its copies stay)": "Thay biểu ghi {id} bằng biểu ghi này (giữ nguyên các bản sách)",
    "Results for {query}": "Kết quả cho {query}",
    "SRU version": "Phiên bản SRU",
    "Save as a new record": "Lưu thành biểu ghi mới",
    "Search the other catalogues": "Tìm trong các mục lục khác",
    "Target {name} removed.": "Đã xóa nguồn {name}.",
    "Target {name} saved.": "Đã lưu nguồn {name}.",
    "Test": "Thử",
    "The Dublin Core record has no title.": "Biểu ghi Dublin Core không có nhan đề.",
    "The SRU version must be 1.2 or 2.0.": "Phiên bản SRU phải là 1.2 hoặc 2.0.",
    "The candidate form was incomplete or expired; search again.":
        "Biểu mẫu biểu ghi được chọn không đủ hoặc đã hết hạn; hãy tìm lại.",
    "The catalogue already holds this book:": "Mục lục đã có sách này:",
    "The database name has characters that cannot be sent.": "Tên cơ sở dữ liệu có ký tự không gửi được.",
    "The form expired; try again.": "Biểu mẫu đã hết hạn; hãy thử lại.",
    "The organisation code is at most 32 characters, without brackets.":
        "Mã tổ chức dài tối đa 32 ký tự, không có dấu ngoặc.",
    "The port must be a number from 1 to 65535.": "Cổng phải là một số từ 1 đến 65535.",
    "The protocol must be SRU or Z39.50.": "Giao thức phải là SRU hoặc Z39.50.",
    "The record could not be read.": "Không đọc được biểu ghi.",
    "The search of this target failed: {detail}": "Tìm trong nguồn này bị lỗi: {detail}",
    "The target answered with HTTP error {status}.": "Nguồn trả lời bằng lỗi HTTP {status}.",
    "The target answered with a web page (HTML), not SRU: check the host, port and database (the SRU path).":
        "Nguồn trả lời bằng một trang web (HTML), không phải SRU: hãy kiểm tra máy chủ, cổng và cơ sở dữ liệu "
        "(đường dẫn SRU).",
    "The target closed the connection before answering.": "Nguồn đóng kết nối trước khi trả lời.",
    "The target did not answer within {seconds} seconds.": "Nguồn không trả lời trong vòng {seconds} giây.",
    "The target refused the connection (Z39.50 initialisation rejected).":
        "Nguồn từ chối kết nối (bước khởi tạo Z39.50 bị từ chối).",
    "The target refused the search: {message} (diagnostic {code}).":
        "Nguồn từ chối lệnh tìm: {message} (mã chẩn đoán {code}).",
    "The target refused: {message} ({uri}).": "Nguồn từ chối: {message} ({uri}).",
    "The target sent an empty answer.": "Nguồn gửi về một câu trả lời trống.",
    "The target's answer could not be read as Z39.50: is this port really a Z39.50 server?":
        "Không đọc được câu trả lời của nguồn theo Z39.50: cổng này có đúng là máy chủ Z39.50 không?",
    "The target's answer is XML but not an SRU search answer (<{root}>).":
        "Câu trả lời của nguồn là XML nhưng không phải kết quả tìm SRU (<{root}>).",
    "The target's answer is not XML, so not SRU ({reason}).":
        "Câu trả lời của nguồn không phải XML, nên không phải SRU ({reason}).",
    "The target's answer is too large (more than 5 MB); it was not read.":
        "Câu trả lời của nguồn quá lớn (hơn 5 MB); đã không đọc.",
    "The time limit must be from 1 to {most} seconds.": "Thời hạn chờ phải từ 1 đến {most} giây.",
    "Time limit (seconds)": "Thời hạn chờ (giây)",
    "Unknown character set.": "Bộ mã ký tự không rõ.",
    "Unknown record syntax.": "Khổ mẫu biểu ghi không rõ.",
    "What the target's ISO 2709 records are written in; records that say otherwise are read correctly and noted.":
        "Bộ mã của các biểu ghi ISO 2709 từ nguồn; biểu ghi khai báo khác vẫn được đọc đúng và có ghi chú.",
    "Z39.50 is not available on this server: YAZ (libyaz5) is not installed.":
        "Máy chủ này chưa dùng được Z39.50: chưa cài YAZ (libyaz5).",
    "Z39.50 sends MARC21 (ISO 2709); SRU sends MARCXML or Dublin Core.":
        "Z39.50 gửi MARC21 (ISO 2709); SRU gửi MARCXML hoặc Dublin Core.",
    "Z39.50 usually 210; SRU usually 80 or the port in its address":
        "Z39.50 thường là 210; SRU thường là 80 hoặc cổng ghi trong địa chỉ",
    "Z39.50: the database name (such as Default). SRU: the path after the port (such as sru).":
        "Z39.50: tên cơ sở dữ liệu (như Default). SRU: đường dẫn sau cổng (như sru).",
    "as the record says (leader)": "theo khai báo của biểu ghi (đầu biểu)",
    "copied from {source}": "sao chép từ {source}",
    "{hits} found; the first {count} shown.": "Tìm thấy {hits}; hiện {count} biểu ghi đầu.",
    "{name} failed the test search ({query}): {reason}": "{name} không qua được lần tìm thử ({query}): {reason}",
    "“{host}” is not a host name or IP address.": "“{host}” không phải tên máy chủ hay địa chỉ IP.",
    "The target's answer declares a document type or entities, which SRU never needs; it was refused unread.":
        "Câu trả lời của máy chủ khai báo kiểu tài liệu hoặc thực thể (entity), điều SRU không bao giờ cần; "
        "câu trả lời bị từ chối, không đọc.",
}
