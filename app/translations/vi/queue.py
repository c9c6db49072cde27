"""Vietnamese for the task queue: job pages, retries, workers that stopped."""

VI = {
"attempt {number}": "lần chạy thứ {number}",
"Retry starts the job again; the parts already finished (MARC records imported, pages read) are not done twice.": "Chạy lại sẽ bắt đầu lại công việc; những phần đã xong (biểu ghi MARC đã nhập, trang đã đọc) không bị làm lại lần nữa.",
"Waiting for a background worker. If the job stays queued, check that one is running (flask --app app worker).": "Đang chờ một tiến trình chạy nền. Nếu công việc cứ ở trạng thái chờ, hãy kiểm tra đã có tiến trình chạy nền chưa (flask --app app worker).",
"Retry the job": "Chạy lại công việc",
"The job is queued again.": "Công việc đã được xếp hàng chạy lại.",
"Only a failed job can be retried; this one is {status}.": "Chỉ chạy lại được công việc đã thất bại; công việc này đang ở trạng thái {status}.",
"The worker running this job stopped; the job is started again.": "Tiến trình đang chạy công việc này đã dừng; công việc được chạy lại.",
"The worker running this job stopped before it finished, too many times: the job is marked failed. Retry it once the cause (a lack of memory, a machine restarted) is dealt with.": "Tiến trình chạy công việc này đã dừng trước khi xong quá nhiều lần: công việc được đánh dấu thất bại. Hãy chạy lại sau khi đã xử lý nguyên nhân (thiếu bộ nhớ, máy khởi động lại).",
}
