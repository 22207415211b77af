-- Takes the status change kept for an order that just arrived: its status and version, whether it is newer than the
-- snapshot's (@at, @status) (is_newer), and its evidence (paid; when a full refund happened).
delete from {schema}.pending_status_changes where shop_id = @shop and order_id = @order
returning status, updated_at, {schema}.is_newer(updated_at, status, @at, @status), counted, active_at, refund_times
