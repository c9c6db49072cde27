"""Vietnamese for books saved for offline reading, the centre's offline return check, and a sync
after the session ended."""

VI = {
    # the centre checks in a batch sent back, offline
    'Check in a rotation batch sent back': 'Kiểm nhận đợt sách luân chuyển được gửi trả về',
    'Copy barcode that came back': 'Mã vạch bản sách được trả về',
    'Checked in {barcode}, back from batch {batch} (waits to sync).': 'Đã kiểm nhận {barcode} trả về từ đợt {batch} (chờ đồng bộ).',
    '{scanned} of {total} copies of batch {batch} checked in back here.': 'Đã kiểm nhận {scanned}/{total} bản của đợt {batch} trả về.',
    'Return check of batch {batch} finished: {missing} copies not scanned will be recorded missing at sync.': 'Đã kết thúc kiểm nhận đợt {batch} trả về: {missing} bản chưa quét sẽ được ghi là thiếu khi đồng bộ.',
    # a sync after the session ended
    'Sign in again': 'Đăng nhập lại',
    'Your session has ended (it expired, or you were signed out elsewhere): sign in again to sync. Nothing is lost: the {count} actions waiting stay on this device and sync once you are signed in.': 'Phiên đăng nhập đã kết thúc (hết hạn, hoặc bạn đã đăng xuất ở nơi khác): hãy đăng nhập lại để đồng bộ. Không mất gì cả: {count} thao tác đang chờ vẫn được giữ trên thiết bị này và sẽ được đồng bộ khi bạn đăng nhập.',
    # books saved for offline reading
    'Books saved on this phone for reading without a connection. They stay on this phone only.': 'Sách đã lưu trên điện thoại này để đọc khi không có kết nối. Sách chỉ nằm trên điện thoại này.',
    'No book is saved on this phone yet. Open a book in the digital library and choose “Save for offline reading”.': 'Chưa có cuốn sách nào được lưu trên điện thoại này. Hãy mở một cuốn sách trong thư viện số và chọn “Lưu để đọc ngoại tuyến”.',
    'Remove from this phone': 'Xóa khỏi điện thoại này',
    'Removed from this phone.': 'Đã xóa khỏi điện thoại này.',
    'Save for offline reading': 'Lưu để đọc ngoại tuyến',
    'Saved books': 'Sách đã lưu',
    'Saved on this phone for offline reading: {pages} pages, {size}.': 'Đã lưu trên điện thoại này để đọc ngoại tuyến: {pages} trang, {size}.',
    'Saving books for offline reading needs JavaScript.': 'Cần bật JavaScript để lưu sách đọc ngoại tuyến.',
    'Saving for offline reading: {done} of {total} pages…': 'Đang lưu để đọc ngoại tuyến: {done}/{total} trang…',
    'The book could not be saved: {reason}. Try again when the connection is better.': 'Không lưu được cuốn sách: {reason}. Hãy thử lại khi kết nối tốt hơn.',
    'The server is busy; saving goes on in a moment…': 'Máy chủ đang bận; việc lưu sẽ tiếp tục sau giây lát…',
    'There is not enough room on this phone to save this book (saved books use {used} now). Remove books you no longer need from the saved books, or free some space, then try again.': 'Điện thoại này không còn đủ chỗ để lưu cuốn sách (sách đã lưu đang dùng {used}). Hãy xóa những cuốn không cần nữa trong sách đã lưu, hoặc giải phóng dung lượng, rồi thử lại.',
    'This book cannot be saved: {reason}': 'Không thể lưu cuốn sách này: {reason}',
    'This browser cannot keep books for offline reading.': 'Trình duyệt này không lưu được sách để đọc ngoại tuyến.',
    'This phone keeps saved books until you remove them.': 'Điện thoại này giữ sách đã lưu cho đến khi bạn xóa.',
    'not completely saved: remove it and save it again': 'chưa lưu xong: hãy xóa rồi lưu lại',
    '{count} books saved on this phone, {size} in all.': 'Đã lưu {count} cuốn sách trên điện thoại này, tổng cộng {size}.',
    '{pages} pages · {size} · saved {when}': '{pages} trang · {size} · lưu ngày {when}',
}
