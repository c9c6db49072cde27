"""Vietnamese for the shared label sets (app/labels.py) and the one date format (app/dates.py)."""

VI = {
"Holds open: {count}": "Đặt trước đang mở: {count}",
"not started": "chưa bắt đầu",
"partly done": "xong một phần",
"OCR not available": "không có OCR",
"district culture office": "phòng văn hóa huyện",
"Creative Commons Attribution (CC BY)": "Creative Commons Ghi công (CC BY)",
"Creative Commons Attribution-ShareAlike (CC BY-SA)": "Creative Commons Ghi công – Chia sẻ tương tự (CC BY-SA)",
"Creative Commons Attribution-NonCommercial (CC BY-NC)": "Creative Commons Ghi công – Phi thương mại (CC BY-NC)",
"Creative Commons Attribution-NonCommercial-ShareAlike (CC BY-NC-SA)": "Creative Commons Ghi công – Phi thương mại – Chia sẻ tương tự (CC BY-NC-SA)",
"Creative Commons Attribution-NoDerivatives (CC BY-ND)": "Creative Commons Ghi công – Không phái sinh (CC BY-ND)",
"Creative Commons Attribution-NonCommercial-NoDerivatives (CC BY-NC-ND)": "Creative Commons Ghi công – Phi thương mại – Không phái sinh (CC BY-NC-ND)",
"No rights reserved (CC0)": "Không bảo lưu quyền (CC0)",
"Public domain": "Phạm vi công cộng",
"Read in the library only": "Chỉ đọc tại thư viện",
"All rights reserved": "Giữ mọi quyền",
}
