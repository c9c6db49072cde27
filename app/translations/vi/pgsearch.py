"""Vietnamese for the PostgreSQL search backend."""

VI = {
    'The search documents cannot be read ({reason}); run `flask --app app init-db`.':
        'Không đọc được dữ liệu tìm kiếm ({reason}); hãy chạy `flask --app app init-db`.',
}
