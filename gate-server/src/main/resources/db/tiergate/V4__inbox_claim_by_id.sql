-- Workers claim the oldest waiting delivery (order by id ... limit 1 for update skip locked). With only the
-- next_attempt_at index, every claim sorted all waiting rows (or scanned the table, done rows included) under
-- load; this index hands them out in id order and holds only the rows still waiting.
create index inbox_waiting_by_id on inbox (id) where status in ('received', 'retry', 'processing');
