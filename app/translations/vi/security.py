"""Vietnamese for security: sign-in waits and locks, disabled accounts, unlocking, demo data."""

VI = {
"Too many failed sign-ins. Wait {seconds} seconds before trying again.": "Đăng nhập sai quá nhiều lần. Hãy chờ {seconds} giây rồi thử lại.",
"This account is disabled. Ask an administrator.": "Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ quản trị viên.",
"Only an administrator can disable or enable an account.": "Chỉ quản trị viên mới có thể vô hiệu hóa hoặc kích hoạt lại tài khoản.",
"You cannot disable your own account.": "Bạn không thể tự vô hiệu hóa tài khoản của chính mình.",
"Only an administrator can unlock an account.": "Chỉ quản trị viên mới có thể mở khóa đăng nhập của tài khoản.",
"{username} is disabled: it cannot sign in, and its sessions are ended.": "Đã vô hiệu hóa {username}: tài khoản không thể đăng nhập và mọi phiên đăng nhập đã kết thúc.",
"{username} can sign in again.": "{username} đã có thể đăng nhập trở lại.",
"Sign-in is unlocked for {username}.": "Đã mở khóa đăng nhập cho {username}.",
"Sign-in": "Đăng nhập",
"This account is disabled: it cannot sign in.": "Tài khoản này đã bị vô hiệu hóa: không thể đăng nhập.",
"Enable sign-in": "Cho phép đăng nhập",
"Disable sign-in": "Vô hiệu hóa đăng nhập",
"After too many failed sign-ins the account waits or is locked; unlocking forgets those failures.": "Sau quá nhiều lần đăng nhập sai, tài khoản phải chờ hoặc bị khóa; mở khóa sẽ xóa bỏ các lần sai đó.",
"Unlock sign-in": "Mở khóa đăng nhập",
"disabled": "đã vô hiệu hóa",
"{file}: its files expand to {size} MB, more than the {limit} MB allowed for this archive (LIBRARY_MAX_ZIP_BYTES, LIBRARY_MAX_ZIP_TOTAL_RATIO); refused.": "{file}: các tệp bên trong giải nén ra {size} MB, vượt mức {limit} MB cho phép với tệp nén này (LIBRARY_MAX_ZIP_BYTES, LIBRARY_MAX_ZIP_TOTAL_RATIO); bị từ chối.",
}
