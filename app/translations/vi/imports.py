"""Vietnamese for import reports grouped by kind of warning, and job progress in records."""
VI = {
    # kinds of warnings (ingest/marc/report.py)
    "Text in MARC-8 although the leader says UTF-8 (converted)":
        "Văn bản MARC-8 dù đầu biểu ghi ghi UTF-8 (đã chuyển đổi)",
    "Text in UTF-8 although the leader says MARC-8 (read as UTF-8)":
        "Văn bản UTF-8 dù đầu biểu ghi ghi MARC-8 (đã đọc theo UTF-8)",
    "Bytes that are not valid UTF-8 (replaced by “\ufffd”)": "Byte không hợp lệ trong UTF-8 (đã thay bằng “\ufffd”)",
    "Text encoded as UTF-8 twice (repaired)": "Văn bản bị mã hóa UTF-8 hai lần (đã sửa)",
    "Text neither MARC-8 nor UTF-8 (read in an old code page)":
        "Văn bản không phải MARC-8 cũng không phải UTF-8 (đã đọc theo bảng mã cũ)",
    "Broken MARC-8 escape sequences": "Chuỗi thoát MARC-8 bị hỏng",
    "Damaged leader (repaired)": "Đầu biểu ghi bị hỏng (đã sửa)",
    "Wrong record length in the leader": "Độ dài biểu ghi sai trong đầu biểu ghi",
    "Damaged directory or data start (repaired)": "Danh mục hoặc vị trí bắt đầu dữ liệu bị hỏng (đã sửa)",
    "Fields with a wrong number of indicators": "Trường có số chỉ thị sai",
    "Subfields with a missing or invalid code (kept as $?)": "Trường con thiếu mã hoặc mã không hợp lệ (giữ dưới mã $?)",
    "Fields without a tag (left out)": "Trường không có nhãn (đã bỏ qua)",
    "Records without a title": "Biểu ghi không có nhan đề",
    "Holdings without a barcode (no copy)": "Dữ liệu bản sách không có mã vạch (không tạo bản sách)",
    "Barcodes longer than 64 characters (no copy)": "Mã vạch dài quá 64 ký tự (không tạo bản sách)",
    "Barcodes that belong to another record (no copy)": "Mã vạch đã thuộc biểu ghi khác (không tạo bản sách)",
    "Unknown library codes in holdings": "Mã thư viện không xác định trong dữ liệu bản sách",
    "Holdings naming no library (no copy)": "Dữ liệu bản sách không ghi thư viện (không tạo bản sách)",
    "Rejected records whose bytes could not be kept": "Biểu ghi bị loại không lưu được dữ liệu gốc",
    "Other warnings": "Cảnh báo khác",
    # the report page
    "Kind of warning": "Loại cảnh báo",
    "Count": "Số lượng",
    "and {count} more": "và {count} mục nữa",
    "Existing record": "Biểu ghi có sẵn",
    # job progress (app/background/jobs.py)
    "{done} of ~{total} records": "{done} / khoảng {total} biểu ghi",
    "{done} of {total} records": "{done} / {total} biểu ghi",
    "{done} records": "{done} biểu ghi",
}
