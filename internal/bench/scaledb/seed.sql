-- Bench data at scale N (:n = the multiplier, 1 = one million leads), set
-- based so that PostgreSQL builds it in minutes. Ids are md5-derived so a
-- row's id is a function of its kind and number; times spread over the
-- three years before the anchor (:anchor, a UTC midnight) with a mild
-- seasonality (more in Q4, fewer around the spring festival).
-- Steps start at lines "-- step" colon title.

-- step: teams
INSERT INTO teams (id, name, parent_id, created_at, updated_at)
SELECT md5('team' || g)::uuid::text, '大区 ' || g, NULL, :anchor - interval '4 years', :anchor - interval '4 years'
FROM generate_series(1, 4) g;
INSERT INTO teams (id, name, parent_id, created_at, updated_at)
SELECT md5('team' || g)::uuid::text, '销售 ' || g || ' 组', md5('team' || (1 + (g - 5) % 4))::uuid::text,
       :anchor - interval '4 years', :anchor - interval '4 years'
FROM generate_series(5, 20) g;

-- step: users
-- users 1..200 are reps in the 16 leaf teams, 201..220 managers of the 20
-- teams, 0 the admin.
INSERT INTO users (id, email, name, phone, password_hash, role, team_id, active, created_at, updated_at)
SELECT md5('user' || g)::uuid::text, 'u' || g || '@bench.example.com',
       (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + g % 10] || (ARRAY['伟','芳','娜','敏','静','强','磊','洋','艳','军'])[1 + (g / 10) % 10] || g,
       '', :hash,
       CASE WHEN g = 0 THEN 'admin' WHEN g > 200 THEN 'manager' ELSE 'rep' END,
       CASE WHEN g = 0 THEN NULL WHEN g > 200 THEN md5('team' || (g - 200))::uuid::text
            ELSE md5('team' || (5 + g % 16))::uuid::text END,
       true, :anchor - interval '4 years', :anchor - interval '4 years'
FROM generate_series(0, 220) g;

-- step: customers
INSERT INTO customers (id, name, industry, size, potential, level, region, source, lifecycle_stage, owner_id,
                       owned_since, created_by, created_at, updated_at, name_norm)
SELECT md5('cust' || g)::uuid::text, '客户 ' || g || ' 有限公司',
       (ARRAY['制造','零售','金融','医疗','教育','物流'])[1 + g % 6], 'medium', 'high', 'b',
       (ARRAY['江苏','浙江','上海','广东','北京','四川','湖北','山东'])[1 + g % 8], 'referral', 'customer',
       md5('user' || (1 + g % 200))::uuid::text, t, md5('user' || (1 + g % 200))::uuid::text, t, t, 'customer ' || g
FROM (SELECT g, :anchor - (random() ^ 1.3) * interval '3 years' AS t FROM generate_series(1, 300000 * :n) g) s;

-- step: contacts
INSERT INTO contacts (id, customer_id, name, created_by, created_at, updated_at)
SELECT md5('ct' || g)::uuid::text, md5('cust' || g)::uuid::text, '联系人 ' || g, '', :anchor - interval '3 years',
       :anchor - interval '3 years'
FROM generate_series(1, 300000 * :n) g;

-- step: leads
-- One lead in five is converted into customer g % customers and its contact.
INSERT INTO leads (id, name, company, source, region, status, owner_id, created_by, created_at, updated_at,
                   phone_norm, email_norm, company_norm, customer_id, contact_id, converted_at, assigned_at)
SELECT md5('lead' || g)::uuid::text, '线索 ' || g, '公司 ' || g,
       (ARRAY['web','exhibition','referral','cold_call','advert'])[1 + g % 5],
       (ARRAY['江苏','浙江','上海','广东','北京','四川','湖北','山东'])[1 + (g / 7) % 8],
       CASE WHEN g % 5 = 0 THEN 'converted' WHEN g % 5 = 1 THEN 'contacted' WHEN g % 5 = 2 THEN 'qualified'
            WHEN g % 5 = 3 THEN 'assigned' ELSE 'new' END,
       CASE WHEN g % 50 = 7 THEN NULL ELSE md5('user' || (1 + g % 200))::uuid::text END, '', t, t,
       '+86139' || lpad(g::text, 8, '0'), 'lead' || g || '@example.com', '公司 ' || g,
       CASE WHEN g % 5 = 0 THEN md5('cust' || (1 + g % (300000 * :n)))::uuid::text END,
       CASE WHEN g % 5 = 0 THEN md5('ct' || (1 + g % (300000 * :n)))::uuid::text END,
       CASE WHEN g % 5 = 0 THEN t + interval '9 days' END, t
FROM (SELECT g, :anchor - (random() ^ 1.2) * interval '3 years' AS t FROM generate_series(1, 1000000 * :n) g) s;

-- step: opportunities
-- status: 40% open (spread over the four open stages), 30% won, 30% lost;
-- amounts skewed (log-uniform, 1,000 to 2,000,000 yuan, in fen).
INSERT INTO opportunities (id, name, customer_id, contact_id, pipeline_id, stage_id, amount, currency, source, owner_id,
                           status, stage_entered_at, stage_entry_id, closed_at, created_by, created_at, updated_at)
SELECT md5('opp' || g)::uuid::text, '商机 ' || g, md5('cust' || c)::uuid::text, md5('ct' || c)::uuid::text,
       '0193a2b4-0000-7000-8000-000000000001',
       '0193a2b4-0000-7000-8000-00000000010' || st, (100000 * exp(random() * ln(2000)))::bigint, 'CNY', 'web',
       md5('user' || (1 + c % 200))::uuid::text,
       CASE WHEN st = 5 THEN 'won' WHEN st = 6 THEN 'lost' ELSE 'open' END,
       t + interval '5 days', md5('ose' || g || '-' || st)::uuid::text,
       CASE WHEN st >= 5 THEN t + (10 + random() * 80) * interval '1 day' END,
       md5('user' || (1 + c % 200))::uuid::text, t, t
FROM (SELECT g, 1 + g % (300000 * :n) AS c,
             CASE WHEN g % 10 < 4 THEN 1 + g % 4 WHEN g % 10 < 7 THEN 5 ELSE 6 END AS st,
             :anchor - interval '100 days' - random() * interval '2 years 265 days' AS t
      FROM generate_series(1, 1000000 * :n) g) s;

-- step: stage_entries
-- Each opportunity entered the open stages up to its current one (a lost
-- one got as far as stage 1 + g % 4), then won or lost.
INSERT INTO opportunity_stage_entries (id, opportunity_id, stage_id, stage_name, kind, entered_at, entered_by)
SELECT md5('ose' || o.g || '-' || s)::uuid::text, md5('opp' || o.g)::uuid::text,
       '0193a2b4-0000-7000-8000-00000000010' || s, 'stage ' || s, CASE WHEN s = 5 THEN 'won' WHEN s = 6 THEN 'lost' ELSE 'open' END,
       :anchor - interval '3 years', ''
FROM (SELECT g, CASE WHEN g % 10 < 4 THEN 1 + g % 4 WHEN g % 10 < 7 THEN 5 ELSE 6 END AS st
      FROM generate_series(1, 1000000 * :n) g) o,
     LATERAL (SELECT s FROM generate_series(1, 6) s
              WHERE s <= least(o.st, 4) AND NOT (o.st = 6 AND s > 1 + o.g % 4) OR s = o.st) x;

-- step: activities
-- 80% done, 15% planned, 5% cancelled; calls, visits, meetings.
INSERT INTO activities (id, type, subject, related_type, related_id, owner_id, status, start_at, end_at, done_at,
                        cancelled_at, created_by, created_at, updated_at)
SELECT md5('act' || g)::uuid::text, (ARRAY['call','visit','meeting'])[1 + g % 3], '跟进 ' || g, 'customer',
       md5('cust' || (1 + g % (300000 * :n)))::uuid::text, md5('user' || (1 + (g % (300000 * :n)) % 200))::uuid::text,
       CASE WHEN g % 20 < 16 THEN 'done' WHEN g % 20 < 19 THEN 'planned' ELSE 'cancelled' END,
       t, t + interval '1 hour', CASE WHEN g % 20 < 16 THEN t + interval '1 hour' END,
       CASE WHEN g % 20 = 19 THEN t END, '', t, t
FROM (SELECT g, :anchor - (random() ^ 1.1) * interval '3 years' AS t FROM generate_series(1, 5000000 * :n) g) s;

-- step: contracts
INSERT INTO contracts (id, number, customer_id, opportunity_id, order_id, owner_id, title, amount, received_amount, currency,
                       start_date, end_date, status, approved_at, signed_at, created_by, created_at, updated_at)
SELECT md5('k' || g)::uuid::text, 'HT' || lpad(g::text, 9, '0'), md5('cust' || (1 + g % (300000 * :n)))::uuid::text, NULL,
       md5('ord' || g)::uuid::text, md5('user' || (1 + (g % (300000 * :n)) % 200))::uuid::text, '合同 ' || g, a, a, 'CNY',
       to_char(t, 'YYYY-MM-DD'), to_char(t + interval '1 year', 'YYYY-MM-DD'), 'executing', t, t, '', t, t
FROM (SELECT g, (100000 * exp(random() * ln(500)))::bigint AS a,
             :anchor - (random() ^ 1.2) * interval '3 years' AS t FROM generate_series(1, 500000 * :n) g) s;

-- step: orders
INSERT INTO orders (id, number, customer_id, contract_id, currency, status, payment_status, subtotal, discount_total,
                    tax_total, total, owner_id, created_by, submitted_at, approved_at, created_at, updated_at)
SELECT md5('ord' || g)::uuid::text, 'DD' || lpad(g::text, 9, '0'), k.customer_id, k.id, 'CNY',
       CASE WHEN g % 10 = 0 THEN 'submitted' ELSE 'completed' END, 'paid', k.amount, 0, 0, k.amount, k.owner_id, '',
       k.created_at - interval '1 day', CASE WHEN g % 10 <> 0 THEN k.created_at END,
       k.created_at - interval '2 days', k.created_at
FROM contracts k JOIN generate_series(1, 500000 * :n) g ON k.id = md5('k' || g)::uuid::text;

-- step: payments
INSERT INTO payments (id, contract_id, customer_id, owner_id, amount, currency, received_at, method, status,
                      voided_at, created_by, created_at, updated_at)
SELECT md5('pay' || g)::uuid::text, k.id, k.customer_id, k.owner_id, k.amount, 'CNY',
       least(k.created_at + interval '20 days', :anchor - interval '1 hour'), 'bank_transfer',
       CASE WHEN g % 50 = 0 THEN 'voided' ELSE 'received' END,
       CASE WHEN g % 50 = 0 THEN k.created_at + interval '30 days' END, '', k.created_at, k.created_at
FROM contracts k JOIN generate_series(1, 500000 * :n) g ON k.id = md5('k' || g)::uuid::text;

-- step: analyze
ANALYZE;
