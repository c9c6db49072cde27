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
}
