-- A cylinder's steps by kind (docs/county.md, "A cylinder's life"): the
-- rules ask "the cylinder's scrap", "its latest step that is not a
-- return", "the dispatches a worker may settle" of one serial, and until
-- now read every row of the serial to answer.  A delivery device may send
-- records_day_max events of one serial a day, each judged under the write
-- lock (an audit of 7 Dec 2026); with this index each question reads the
-- rows of its own kind.
CREATE INDEX life_events_serial_event ON life_events(serial, event, rule_ms);
