-- Macros shared by the core build.
-- Why: every source writes dates, money and NPWP its own way; one definition each keeps the
-- sources comparable.
-- Source: ../shared/sources.md §2.2 (ISB date formats), GLOSSARY.md (NPWP, money).
-- The macros stay in one file: each is a line or two, every source file uses several, and
-- together they are the one definition of how a date, an amount or an NPWP is read.
-- creates: core.wib, core.wib_day, core.rupiah, core.npwp15, core.squash, core.status_class,
--   core.lkpp_preference
-- depends:

-- A source's wall-clock text (WIB) as an instant. ISB writes 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS'
-- and '...T..:..:...000000Z'; the Z is an artefact (connectors/isb.py), the clock is WIB.
CREATE OR REPLACE MACRO core.wib(s) AS timezone('Asia/Jakarta', try_strptime(
    regexp_replace(trim(s), '(\.\d+)?Z$', ''),
    ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d']));

-- An instant's calendar day in WIB, by arithmetic: WIB has been UTC+7 with no daylight saving
-- since 1964 (every procurement record is later), and timezone() through ICU costs ten times as
-- much, which the checks pay for every process they read (sql/indicators/200_compliance_base.sql).
CREATE OR REPLACE MACRO core.wib_day(ts) AS
    CAST(make_timestamp(epoch_us(ts) + 25200000000) AS DATE);  -- 7 h in microseconds

-- Rupiah amounts: ISB sends JSON numbers with at most two decimals.
CREATE OR REPLACE MACRO core.rupiah(s) AS TRY_CAST(s AS DECIMAL(20, 2));

-- NPWP normalised to its 15 digits: punctuation dropped; the 16-digit form is '0' + the 15.
CREATE OR REPLACE MACRO core.npwp15(s) AS CASE
    WHEN length(regexp_replace(s, '\D', '', 'g')) = 15 THEN regexp_replace(s, '\D', '', 'g')
    WHEN length(regexp_replace(s, '\D', '', 'g')) = 16 AND regexp_replace(s, '\D', '', 'g')[1] = '0'
        THEN regexp_replace(s, '\D', '', 'g')[2:]
    END;

-- Text with runs of white space collapsed (SPSE writes 'Penandatanganan  kontrak').
CREATE OR REPLACE MACRO core.squash(s) AS nullif(trim(regexp_replace(s, '\s+', ' ', 'g')), '');

-- The status of a process in four classes, whatever words its source uses.
CREATE OR REPLACE MACRO core.status_class(s) AS CASE
    WHEN s IS NULL THEN 'unknown'
    WHEN lower(s) SIMILAR TO '.*(batal|gagal|dibatalkan|cancel).*' THEN 'failed'
    WHEN lower(s) SIMILAR TO '.*(selesai|sudah selesai|complete).*' THEN 'finished'
    ELSE 'ongoing'
    END;

-- Where ISB and the INAPROC gateway both describe a package (sql/core/090_lkpp.sql), one of them
-- is kept in bids, schedule, realisations and plans, and preferred in core.processes: INAPROC,
-- the live source, first.
CREATE OR REPLACE MACRO core.lkpp_preference(source) AS CASE source WHEN 'inaproc' THEN 0 ELSE 1 END;
