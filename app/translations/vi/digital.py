"""Vietnamese for the digital library's licence rule, image limits and scan storage errors."""

VI = {
"This page holds the words; it can be read at the library.": "Trang này có các từ cần tìm; hãy đọc tại thư viện.",
"p. {page}: the words are there; read it at the library.": "tr. {page}: có các từ cần tìm; hãy đọc tại thư viện.",
"Too many page images asked for at once; try again in {seconds} seconds.": "Yêu cầu quá nhiều ảnh trang cùng lúc; hãy thử lại sau {seconds} giây.",
"The page images could not be saved: the data folder cannot be written ({reason}). Ask the administrator to check LIBRARY_DATA_DIR and the free disk space.": "Không lưu được ảnh trang: không ghi được vào thư mục dữ liệu ({reason}). Hãy nhờ quản trị viên kiểm tra LIBRARY_DATA_DIR và dung lượng đĩa còn trống.",
}
