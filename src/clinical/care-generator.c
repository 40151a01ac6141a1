/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-generator"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "care-generator.h"
#include "care-names.h"
#include "care-text.h"

/*
 * The synthetic demo clinic: "Cascade Foothills Coordinated Care", a small rural
 * Oregon CCO with three clinics, a community pharmacy and a regional hospital.
 * Every organization, person and record here is invented.
 *
 * Determinism: the same seed and as_of give the same database content. Each
 * patient draws from its own xoshiro256** stream seeded from (seed, patient
 * number), so a patient does not change when more patients are asked for. The
 * code uses no libm function whose last bit may differ between platforms
 * (normal deviates come from a sum of uniforms), iterates no hash tables, and
 * formats numbers with g_ascii_formatd() so the locale does not matter.
 *
 * Shape of the data: about three years of history before as_of. Conditions,
 * visits, labs and medications follow the patient's age and illness burden, and
 * lab values follow a per-patient trend (improving, stable or worsening) so
 * dashboards and care-plan goals have something real to show.
 */

#define ACTOR          "system:generator"
#define BATCH_SIZE     500
#define PROGRESS_EVERY 100
#define HISTORY_DAYS   (3 * 365)
#define MAX_PATIENTS   9000000u
#define NO_DAY         G_MININT32
#define NO_STAFF       G_MAXUINT

#define SNOMED "http://snomed.info/sct"
#define RXNORM "http://www.nlm.nih.gov/research/umls/rxnorm"

typedef gint32 Day;   /* days since 1970-01-01 */
typedef gint64 Time;  /* seconds since 1970-01-01T00:00:00Z */

typedef struct
{
  char str[37];
} Uuid;

/* Random numbers ---------------------------------------------------------- */

typedef struct
{
  guint64 s[4];
} Rng;

enum
{
  STREAM_STAFF = 1,
  STREAM_IDENTIFIERS = 2,
  STREAM_PATIENTS = 16,   /* + patient number */
};

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void
rng_init (Rng     *rng,
          guint64  seed,
          guint64  stream)
{
  guint64 state = seed;
  guint64 mixed = splitmix64 (&state);

  state = mixed ^ (stream * G_GUINT64_CONSTANT (0xd1342543de82ef95));
  for (guint i = 0; i < G_N_ELEMENTS (rng->s); i++)
    rng->s[i] = splitmix64 (&state);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static guint64
rng_next (Rng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/* Uniform in [0, 1). */
static double
rng_double (Rng *rng)
{
  return (double) (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n); n > 0. */
static guint32
rng_below (Rng     *rng,
           guint32  n)
{
  return (guint32) (((rng_next (rng) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static int
rng_range (Rng *rng,
           int  lo,
           int  hi)
{
  if (hi <= lo)
    return lo;
  return lo + (int) rng_below (rng, (guint32) (hi - lo + 1));
}

static double
rng_uniform (Rng    *rng,
             double  lo,
             double  hi)
{
  return lo + (hi - lo) * rng_double (rng);
}

static gboolean
rng_chance (Rng    *rng,
            double  p)
{
  return rng_double (rng) < p;
}

/* Roughly standard normal: the sum of four uniforms (Irwin–Hall), rescaled. Good
 * enough for demo data, and free of libm so every platform gets the same values. */
static double
rng_normal (Rng *rng)
{
  double sum = 0;

  /* One draw per statement: the order of operands in an expression is unspecified. */
  for (guint i = 0; i < 4; i++)
    sum += rng_double (rng);

  return (sum - 2.0) * 1.7320508075688772;
}

static guint
rng_weighted (Rng         *rng,
              const guint *weights,
              guint        n)
{
  guint total = 0;
  guint32 r;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  r = rng_below (rng, total);
  for (guint i = 0; i < n; i++)
    {
      if (r < weights[i])
        return i;
      r -= weights[i];
    }

  return n - 1;
}

#define RNG_PICK(rng, array) ((array)[rng_below ((rng), G_N_ELEMENTS (array))])

static const char *
pick_name (Rng                *rng,
           const CareNameList *list)
{
  return list->names[rng_below (rng, list->n_names)];
}

/* A version 4 UUID made from the stream, so ids repeat with the seed. */
static void
rng_uuid (Rng  *rng,
          Uuid *uuid)
{
  static const char hex[] = "0123456789abcdef";
  guint64 hi = rng_next (rng);
  guint64 lo = rng_next (rng);
  guint8 bytes[16];
  char *out = uuid->str;

  for (guint i = 0; i < 8; i++)
    {
      bytes[i] = (guint8) (hi >> (56 - 8 * i));
      bytes[8 + i] = (guint8) (lo >> (56 - 8 * i));
    }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *out++ = '-';
      *out++ = hex[bytes[i] >> 4];
      *out++ = hex[bytes[i] & 0x0f];
    }
  *out = '\0';
}

/* Dates and times --------------------------------------------------------- */

/* Proleptic Gregorian calendar (H. Hinnant's algorithms). */
static Day
days_from_civil (int year,
                 int month,
                 int day)
{
  int era, yoe, doy, doe;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  yoe = year - era * 400;
  doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

static void
civil_from_days (Day  days,
                 int *year,
                 int *month,
                 int *day)
{
  int z = days + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  int m = mp < 10 ? mp + 3 : mp - 9;

  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = m;
  *year = yoe + era * 400 + (m <= 2);
}

static int
day_year (Day day)
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  return y;
}

/* The same calendar day @years later; 29 February becomes 28 February. */
static Day
add_years (Day day,
           int years)
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  if (m == 2 && d == 29)
    d = 28;
  return days_from_civil (y + years, m, d);
}

/* Completed years from @birth to @day. */
static int
age_on (Day birth,
        Day day)
{
  int by, bm, bd, y, m, d;

  civil_from_days (birth, &by, &bm, &bd);
  civil_from_days (day, &y, &m, &d);
  return y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
}

static double
years_between (Day from,
               Day to)
{
  return (to - from) / 365.25;
}

/* Functions, not MIN()/MAX(): those evaluate an argument twice, and an argument
 * that draws a random number must be drawn exactly once. */
static inline Day
day_min (Day a,
         Day b)
{
  return a < b ? a : b;
}

static inline Day
day_max (Day a,
         Day b)
{
  return a > b ? a : b;
}

static inline double
clamp_double (double value,
              double lo,
              double hi)
{
  return value < lo ? lo : value > hi ? hi : value;
}

/* 0 = Sunday. 1970-01-01 was a Thursday. */
static int
weekday (Day day)
{
  return ((day % 7) + 7 + 4) % 7;
}

/* Hours to add to Pacific local time to get UTC (US rules since 2007). */
static int
pacific_offset_hours (Day day)
{
  int year = day_year (day);
  Day march1 = days_from_civil (year, 3, 1);
  Day nov1 = days_from_civil (year, 11, 1);
  Day dst_start = march1 + (7 - weekday (march1)) % 7 + 7;  /* second Sunday of March */
  Day dst_end = nov1 + (7 - weekday (nov1)) % 7;             /* first Sunday of November */

  return day >= dst_start && day < dst_end ? 7 : 8;
}

/* @minutes after local midnight in Oregon, as UTC. */
static Time
local_time (Day day,
            int minutes)
{
  return (Time) day * 86400 + (Time) minutes * 60 + pacific_offset_hours (day) * 3600;
}

static void
format_date (Day   day,
             char *buf)
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  g_snprintf (buf, 11, "%04d-%02d-%02d", y, m, d);
}

static void
format_time (Time  t,
             char *buf)
{
  Day day = (Day) (t >= 0 ? t / 86400 : (t - 86399) / 86400);
  int secs = (int) (t - (Time) day * 86400);
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  g_snprintf (buf, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
              secs / 3600, secs / 60 % 60, secs % 60);
}

static gboolean
parse_as_of (const char  *text,
             Day         *out,
             GError     **error)
{
  int y, m, d;

  if (text == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      g_date_time_get_ymd (now, &y, &m, &d);
      *out = days_from_civil (y, m, d);
      return TRUE;
    }

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    goto invalid;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      goto invalid;

  y = (int) g_ascii_strtoll (text, NULL, 10);
  m = (int) g_ascii_strtoll (text + 5, NULL, 10);
  d = (int) g_ascii_strtoll (text + 8, NULL, 10);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    goto invalid;

  *out = days_from_civil (y, m, d);
  return TRUE;

invalid:
  g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
               "“%s” is not a valid date of the form YYYY-MM-DD", text);
  return FALSE;
}

/* Static data: the CCO ---------------------------------------------------- */

typedef enum
{
  ORG_CCO,
  ORG_SWEET_HOME,
  ORG_BROWNSVILLE,
  ORG_SISTERS,
  ORG_PHARMACY,
  ORG_HOSPITAL,
  N_ORGS
} Org;

static const struct
{
  const char *name;
  const char *kind;
  const char *phone;
  const char *address_line;
  const char *city;
  const char *postal_code;
  const char *domain;        /* staff e-mail; .example is reserved, so never real */
} org_defs[N_ORGS] = {
  [ORG_CCO] = { "Cascade Foothills Coordinated Care", "cco", "(541) 555-0100",
                "88 E Grant St, Suite 200", "Lebanon", "97355", "cascadefoothillscco.example" },
  [ORG_SWEET_HOME] = { "Santiam Foothills Family Medicine", "clinic", "(541) 555-0110",
                       "1420 Main St", "Sweet Home", "97386", "santiamfoothills.example" },
  [ORG_BROWNSVILLE] = { "Calapooia River Health Center", "clinic", "(541) 555-0120",
                        "310 Park Ave", "Brownsville", "97327", "calapooiahealth.example" },
  [ORG_SISTERS] = { "Whychus Creek Family Clinic", "clinic", "(541) 555-0130",
                    "155 N Elm St", "Sisters", "97759", "whychuscreek.example" },
  [ORG_PHARMACY] = { "Foothills Commons Pharmacy", "pharmacy", "(541) 555-0140",
                     "2250 S Main St", "Lebanon", "97355", "foothillscommons.example" },
  [ORG_HOSPITAL] = { "South Santiam Regional Hospital", "hospital", "(541) 555-0150",
                     "3100 Hospital Way", "Lebanon", "97355", "southsantiam.example" },
};

static const Org clinics[] = { ORG_SWEET_HOME, ORG_BROWNSVILLE, ORG_SISTERS };

typedef enum
{
  PHYSICIAN,
  NURSE_PRACTITIONER,
  NURSE,
  PHARMACIST,
  BEHAVIORAL_HEALTH,
  SOCIAL_WORKER,
  CARE_COORDINATOR,
  FRONT_DESK,
  N_DISCIPLINES
} Discipline;

static const char * const discipline_names[N_DISCIPLINES] = {
  [PHYSICIAN] = "physician",
  [NURSE_PRACTITIONER] = "nurse-practitioner",
  [NURSE] = "nurse",
  [PHARMACIST] = "pharmacist",
  [BEHAVIORAL_HEALTH] = "behavioral-health",
  [SOCIAL_WORKER] = "social-worker",
  [CARE_COORDINATOR] = "care-coordinator",
  [FRONT_DESK] = "front-desk",
};

/* Phones are (541) 555-<line>; mail goes to <mailbox>@<the organization's domain>. */
static const struct
{
  const char *given;
  const char *family;
  Discipline  discipline;
  const char *credentials;
  Org         org;
  const char *line;
  const char *mailbox;
} staff_defs[] = {
  { "Eleanor", "Whitfield", PHYSICIAN, "MD", ORG_SWEET_HOME, "0111", "e.whitfield" },
  { "Tomás", "Reyes", PHYSICIAN, "DO", ORG_SWEET_HOME, "0112", "t.reyes" },
  { "Hannah", "Lindqvist", NURSE_PRACTITIONER, "FNP-C", ORG_SWEET_HOME, "0113", "h.lindqvist" },
  { "Diane", "Kowalski", NURSE, "RN", ORG_SWEET_HOME, "0114", "d.kowalski" },
  { "Marcus", "Bell", NURSE, "RN", ORG_SWEET_HOME, "0115", "m.bell" },
  { "Lucía", "Ortega", BEHAVIORAL_HEALTH, "LPC", ORG_SWEET_HOME, "0116", "l.ortega" },
  { "Jenna", "McAllister", CARE_COORDINATOR, "RN, CCM", ORG_SWEET_HOME, "0117", "j.mcallister" },
  { "Kaylee", "Dawson", FRONT_DESK, NULL, ORG_SWEET_HOME, "0110", "frontdesk" },

  { "Samuel", "Okafor", PHYSICIAN, "MD", ORG_BROWNSVILLE, "0121", "s.okafor" },
  { "Rebecca", "Thorsen", NURSE_PRACTITIONER, "NP", ORG_BROWNSVILLE, "0122", "r.thorsen" },
  { "Graciela", "Peña", NURSE, "RN", ORG_BROWNSVILLE, "0123", "g.pena" },
  { "Owen", "Harper", BEHAVIORAL_HEALTH, "PsyD", ORG_BROWNSVILLE, "0124", "o.harper" },
  { "Maribel", "Soto", CARE_COORDINATOR, "CHW", ORG_BROWNSVILLE, "0125", "m.soto" },
  { "Tyler", "Brandt", FRONT_DESK, NULL, ORG_BROWNSVILLE, "0120", "frontdesk" },

  { "Anne-Marie", "Dubois", PHYSICIAN, "DO", ORG_SISTERS, "0131", "a.dubois" },
  { "Jesse", "Calder", NURSE_PRACTITIONER, "NP", ORG_SISTERS, "0132", "j.calder" },
  { "Zoë", "Hartmann", NURSE, "RN", ORG_SISTERS, "0133", "z.hartmann" },
  { "Carlos", "Medina", SOCIAL_WORKER, "LCSW", ORG_SISTERS, "0134", "c.medina" },
  { "Ivy", "Sorensen", FRONT_DESK, NULL, ORG_SISTERS, "0130", "frontdesk" },

  { "Priya", "Raman", PHARMACIST, "PharmD", ORG_PHARMACY, "0141", "p.raman" },
  { "Daniel", "Novak", PHARMACIST, "PharmD, BCACP", ORG_PHARMACY, "0142", "d.novak" },

  { "Victor", "Álvarez", PHYSICIAN, "MD", ORG_HOSPITAL, "0151", "v.alvarez" },
  { "Lena", "Strand", PHYSICIAN, "MD", ORG_HOSPITAL, "0152", "l.strand" },
  { "Natalie", "Brooks", NURSE, "RN", ORG_HOSPITAL, "0153", "n.brooks" },
  { "Gwen", "Hollister", SOCIAL_WORKER, "MSW", ORG_HOSPITAL, "0154", "g.hollister" },

  { "Rosa", "Delgado", CARE_COORDINATOR, "RN", ORG_CCO, "0101", "r.delgado" },
  { "Aaron", "Pike", CARE_COORDINATOR, "CHW", ORG_CCO, "0102", "a.pike" },
  { "Julia", "Westbrook", BEHAVIORAL_HEALTH, "LCSW", ORG_CCO, "0103", "j.westbrook" },
  { "Maya", "Rosenthal", SOCIAL_WORKER, "LCSW", ORG_CCO, "0104", "m.rosenthal" },
};

#define N_STAFF G_N_ELEMENTS (staff_defs)

static const struct
{
  const char *city;
  const char *postal_code;
  Org         clinic;
  guint       weight;
} town_defs[] = {
  { "Sweet Home", "97386", ORG_SWEET_HOME, 26 },
  { "Lebanon", "97355", ORG_SWEET_HOME, 18 },
  { "Cascadia", "97329", ORG_SWEET_HOME, 2 },
  { "Brownsville", "97327", ORG_BROWNSVILLE, 12 },
  { "Halsey", "97348", ORG_BROWNSVILLE, 5 },
  { "Crawfordsville", "97336", ORG_BROWNSVILLE, 3 },
  { "Harrisburg", "97446", ORG_BROWNSVILLE, 6 },
  { "Scio", "97374", ORG_BROWNSVILLE, 5 },
  { "Sisters", "97759", ORG_SISTERS, 19 },
  { "Camp Sherman", "97730", ORG_SISTERS, 2 },
};

static const char * const street_names[] = {
  "Oak St", "Pine St", "Maple Ave", "Cedar Ln", "Fir St", "Alder St", "Ash St", "Willow Ln",
  "Hemlock St", "Spruce Ave", "River Rd", "Mill St", "Church St", "School St", "Ridge Rd",
  "Orchard Ln", "Meadow Dr", "Elk Ridge Dr", "Butte View Rd", "Creek Rd", "Timber Ln",
  "Sunset Dr", "Quail Run", "Juniper Ave", "Ponderosa Ln", "Filbert Ave", "Hop Yard Rd",
  "Grange Hall Rd", "Covered Bridge Ln", "Old Mill Rd", "Fern Hollow Dr", "Trillium Way",
};

/* Five-year age bands 0–4 … 95–99: a rural, older-skewing population. */
static const guint age_band_weights[] = {
  45, 50, 55, 55, 50, 50, 55, 55, 55, 55, 60, 70, 80, 85, 75, 55, 35, 22, 10, 3,
};

static const guint heritage_weights[CARE_N_HERITAGES] = {
  [CARE_HERITAGE_EUROPEAN] = 775,
  [CARE_HERITAGE_HISPANIC] = 175,
  [CARE_HERITAGE_SLAVIC] = 30,
  [CARE_HERITAGE_VIETNAMESE] = 20,
};

/* Static data: clinical ---------------------------------------------------- */

/* Decided in this order, so later ones can depend on earlier ones. */
typedef enum
{
  COND_OBESITY,
  COND_HYPERTENSION,
  COND_DIABETES,
  COND_HYPERLIPIDEMIA,
  COND_CKD,
  COND_HEART_FAILURE,
  COND_AFIB,
  COND_COPD,
  COND_ASTHMA,
  COND_OSTEOARTHRITIS,
  COND_DEPRESSION,
  COND_ANXIETY,
  N_CONDITIONS
} Condition;

static const struct
{
  const char *code;
  const char *display;
  const char *short_name;
  int         min_onset_age;
  double      burden;        /* weight in the visit rate */
} condition_defs[N_CONDITIONS] = {
  [COND_OBESITY] = { "414916001", "Obesity", "obesity", 6, 0.5 },
  [COND_HYPERTENSION] = { "59621000", "Essential hypertension", "hypertension", 25, 1.0 },
  [COND_DIABETES] = { "44054006", "Type 2 diabetes mellitus", "type 2 diabetes", 25, 1.5 },
  [COND_HYPERLIPIDEMIA] = { "55822004", "Hyperlipidemia", "hyperlipidemia", 25, 0.4 },
  [COND_CKD] = { "709044004", "Chronic kidney disease", "chronic kidney disease", 35, 1.0 },
  [COND_HEART_FAILURE] = { "84114007", "Heart failure", "heart failure", 45, 2.0 },
  [COND_AFIB] = { "49436004", "Atrial fibrillation", "atrial fibrillation", 45, 1.0 },
  [COND_COPD] = { "13645005", "Chronic obstructive pulmonary disease", "COPD", 40, 1.5 },
  [COND_ASTHMA] = { "195967001", "Asthma", "asthma", 2, 0.6 },
  [COND_OSTEOARTHRITIS] = { "396275006", "Osteoarthritis", "osteoarthritis", 40, 0.4 },
  [COND_DEPRESSION] = { "35489007", "Depressive disorder", "depression", 12, 0.8 },
  [COND_ANXIETY] = { "197480006", "Anxiety disorder", "anxiety", 10, 0.5 },
};

typedef enum
{
  OBS_SYSTOLIC,
  OBS_DIASTOLIC,
  OBS_WEIGHT,
  OBS_BMI,
  OBS_A1C,
  OBS_EGFR,
  OBS_LDL,
  OBS_PHQ9,
  N_OBS
} Obs;

/* Displays are the short names a clinician reads, not the LOINC long names. */
static const struct
{
  const char *loinc;
  const char *display;
  const char *unit;
  const char *category;
  int         decimals;
} obs_defs[N_OBS] = {
  [OBS_SYSTOLIC] = { "8480-6", "Systolic blood pressure", "mm[Hg]", "vital-signs", 0 },
  [OBS_DIASTOLIC] = { "8462-4", "Diastolic blood pressure", "mm[Hg]", "vital-signs", 0 },
  [OBS_WEIGHT] = { "29463-7", "Body weight", "kg", "vital-signs", 1 },
  [OBS_BMI] = { "39156-5", "Body mass index", "kg/m2", "vital-signs", 1 },
  [OBS_A1C] = { "4548-4", "Hemoglobin A1c", "%", "laboratory", 1 },
  [OBS_EGFR] = { "33914-3", "eGFR", "mL/min/{1.73_m2}", "laboratory", 0 },
  [OBS_LDL] = { "18262-6", "LDL cholesterol", "mg/dL", "laboratory", 0 },
  [OBS_PHQ9] = { "44261-6", "PHQ-9 total score", "{score}", "survey", 0 },
};

typedef enum
{
  MED_METFORMIN,
  MED_INSULIN_GLARGINE,
  MED_LISINOPRIL,
  MED_LOSARTAN,
  MED_AMLODIPINE,
  MED_HCTZ,
  MED_ATORVASTATIN,
  MED_SIMVASTATIN,
  MED_SERTRALINE,
  MED_FLUOXETINE,
  MED_ESCITALOPRAM,
  MED_ALBUTEROL,
  MED_FLUTICASONE,
  MED_TIOTROPIUM,
  MED_FUROSEMIDE,
  MED_CARVEDILOL,
  MED_SPIRONOLACTONE,
  MED_METOPROLOL,
  MED_APIXABAN,
  MED_WARFARIN,
  MED_AMIODARONE,
  MED_ACETAMINOPHEN,
  MED_IBUPROFEN,
  MED_PREDNISONE,
  MED_AZITHROMYCIN,
  MED_AMOXICILLIN,
  MED_CEPHALEXIN,
  N_MEDS
} Med;

/* RxNorm codes are best effort; check them against RxNav before relying on them.
 * Quantities: per_day units a day, or (per_day 0) one package of pack_quantity
 * that lasts pack_days. */
static const struct
{
  const char *drug;
  const char *rxnorm;
  const char *dose;
  const char *route;
  const char *frequency;
  double      per_day;
  double      pack_quantity;
  int         pack_days;
  gboolean    course;        /* a short course, not a maintenance medication */
} med_defs[N_MEDS] = {
  [MED_METFORMIN] = { "metformin hydrochloride 500 MG Oral Tablet", "861007",
    "500 mg", "oral", "twice daily with meals", 2 },
  [MED_INSULIN_GLARGINE] = { "insulin glargine 100 UNT/ML Injectable Solution", "261551",
    "20 units", "subcutaneous", "once daily at bedtime", 0, 10, 50 },
  [MED_LISINOPRIL] = { "lisinopril 10 MG Oral Tablet", "314076",
    "10 mg", "oral", "once daily", 1 },
  [MED_LOSARTAN] = { "losartan potassium 50 MG Oral Tablet", "979485",
    "50 mg", "oral", "once daily", 1 },
  [MED_AMLODIPINE] = { "amlodipine 5 MG Oral Tablet", "197361",
    "5 mg", "oral", "once daily", 1 },
  [MED_HCTZ] = { "hydrochlorothiazide 25 MG Oral Tablet", "310798",
    "25 mg", "oral", "once daily", 1 },
  [MED_ATORVASTATIN] = { "atorvastatin 20 MG Oral Tablet", "617312",
    "20 mg", "oral", "once daily", 1 },
  [MED_SIMVASTATIN] = { "simvastatin 20 MG Oral Tablet", "312961",
    "20 mg", "oral", "once daily in the evening", 1 },
  [MED_SERTRALINE] = { "sertraline 50 MG Oral Tablet", "312940",
    "50 mg", "oral", "once daily", 1 },
  [MED_FLUOXETINE] = { "fluoxetine 20 MG Oral Capsule", "310385",
    "20 mg", "oral", "once daily", 1 },
  [MED_ESCITALOPRAM] = { "escitalopram 10 MG Oral Tablet", "349332",
    "10 mg", "oral", "once daily", 1 },
  [MED_ALBUTEROL] = { "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "245314",
    "2 puffs", "inhalation", "every 4 to 6 hours as needed", 0, 1, 30 },
  [MED_FLUTICASONE] = { "fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", "895994",
    "2 puffs", "inhalation", "twice daily", 0, 1, 30 },
  [MED_TIOTROPIUM] = { "tiotropium 0.018 MG Inhalation Powder", "485032",
    "18 mcg (1 capsule)", "inhalation", "once daily", 1 },
  [MED_FUROSEMIDE] = { "furosemide 40 MG Oral Tablet", "313988",
    "40 mg", "oral", "once daily", 1 },
  [MED_CARVEDILOL] = { "carvedilol 6.25 MG Oral Tablet", "200031",
    "6.25 mg", "oral", "twice daily", 2 },
  [MED_SPIRONOLACTONE] = { "spironolactone 25 MG Oral Tablet", "313096",
    "25 mg", "oral", "once daily", 1 },
  [MED_METOPROLOL] = { "metoprolol succinate 25 MG Extended Release Oral Tablet", "866427",
    "25 mg", "oral", "once daily", 1 },
  [MED_APIXABAN] = { "apixaban 5 MG Oral Tablet", "1364445",
    "5 mg", "oral", "twice daily", 2 },
  [MED_WARFARIN] = { "warfarin sodium 5 MG Oral Tablet", "855332",
    "5 mg", "oral", "once daily, dose adjusted to INR", 1 },
  [MED_AMIODARONE] = { "amiodarone hydrochloride 200 MG Oral Tablet", "833528",
    "200 mg", "oral", "once daily", 1 },
  [MED_ACETAMINOPHEN] = { "acetaminophen 500 MG Oral Tablet", "198440",
    "1000 mg", "oral", "every 8 hours as needed for pain", 0, 100, 30 },
  [MED_IBUPROFEN] = { "ibuprofen 400 MG Oral Tablet", "197805",
    "400 mg", "oral", "every 8 hours as needed with food", 0, 60, 30 },
  [MED_PREDNISONE] = { "prednisone 20 MG Oral Tablet", "312617",
    "40 mg", "oral", "once daily for 5 days", 0, 10, 5, TRUE },
  [MED_AZITHROMYCIN] = { "azithromycin 250 MG Oral Tablet", "308460",
    "500 mg on day 1, then 250 mg", "oral", "once daily for 5 days", 0, 6, 5, TRUE },
  [MED_AMOXICILLIN] = { "amoxicillin 500 MG Oral Capsule", "308191",
    "500 mg", "oral", "three times daily for 7 days", 0, 21, 7, TRUE },
  [MED_CEPHALEXIN] = { "cephalexin 500 MG Oral Capsule", "309114",
    "500 mg", "oral", "four times daily for 7 days", 0, 28, 7, TRUE },
};

typedef enum
{
  ALLERGY_PENICILLIN,
  ALLERGY_PENICILLIN_ANAPHYLAXIS,
  ALLERGY_SULFA,
  ALLERGY_CODEINE,
  ALLERGY_AMOXICILLIN,
  ALLERGY_ASPIRIN,
  ALLERGY_IBUPROFEN,
  ALLERGY_MORPHINE,
  ALLERGY_PEANUT,
  ALLERGY_SHELLFISH,
  ALLERGY_EGG,
  ALLERGY_LATEX,
  ALLERGY_BEE_VENOM,
  ALLERGY_DUST_MITE,
  ALLERGY_ADHESIVE,
  ALLERGY_LISINOPRIL,     /* only given to patients on lisinopril, never drawn */
  N_ALLERGIES
} Allergy;

static const struct
{
  const char *substance;
  const char *code_system;   /* NULL: recorded as free text */
  const char *code;
  const char *type;
  const char *category;
  const char *criticality;
  const char *reaction;
  const char *severity;
  guint       weight;
} allergy_defs[N_ALLERGIES] = {
  [ALLERGY_PENICILLIN] = { "Penicillin", RXNORM, "7980",
    "allergy", "medication", "high", "Hives", "moderate", 30 },
  [ALLERGY_PENICILLIN_ANAPHYLAXIS] = { "Penicillin", RXNORM, "7980",
    "allergy", "medication", "high", "Anaphylaxis", "severe", 3 },
  [ALLERGY_SULFA] = { "Sulfamethoxazole (sulfa antibiotics)", RXNORM, "10180",
    "allergy", "medication", "low", "Rash", "mild", 14 },
  [ALLERGY_CODEINE] = { "Codeine", RXNORM, "2670",
    "intolerance", "medication", "low", "Nausea and vomiting", "moderate", 9 },
  [ALLERGY_AMOXICILLIN] = { "Amoxicillin", RXNORM, "723",
    "allergy", "medication", "high", "Rash", "moderate", 6 },
  [ALLERGY_ASPIRIN] = { "Aspirin", RXNORM, "1191",
    "allergy", "medication", "high", "Wheezing", "moderate", 3 },
  [ALLERGY_IBUPROFEN] = { "Ibuprofen", RXNORM, "5640",
    "allergy", "medication", "low", "Hives", "mild", 4 },
  [ALLERGY_MORPHINE] = { "Morphine", RXNORM, "7052",
    "intolerance", "medication", "low", "Itching", "mild", 3 },
  [ALLERGY_PEANUT] = { "Peanut", SNOMED, "256349002",
    "allergy", "food", "high", "Anaphylaxis", "severe", 6 },
  [ALLERGY_SHELLFISH] = { "Shellfish", SNOMED, "735029006",
    "allergy", "food", "high", "Hives and lip swelling", "moderate", 5 },
  [ALLERGY_EGG] = { "Egg", SNOMED, "102263004",
    "allergy", "food", "low", "Hives", "mild", 2 },
  [ALLERGY_LATEX] = { "Latex", SNOMED, "111088007",
    "allergy", "environment", "high", "Contact dermatitis", "moderate", 4 },
  [ALLERGY_BEE_VENOM] = { "Bee venom", SNOMED, "288328004",
    "allergy", "environment", "high", "Anaphylaxis", "severe", 3 },
  [ALLERGY_DUST_MITE] = { "House dust mite", SNOMED, "260147004",
    "allergy", "environment", "low", "Sneezing and itchy eyes", "mild", 4 },
  [ALLERGY_ADHESIVE] = { "Adhesive tape", NULL, NULL,
    "intolerance", "environment", "low", "Skin irritation", "mild", 2 },
  [ALLERGY_LISINOPRIL] = { "Lisinopril", RXNORM, "29046",
    "intolerance", "medication", "low", "Cough", "mild", 0 },
};

typedef enum
{
  VISIT_OFFICE,
  VISIT_CHRONIC,
  VISIT_WELLNESS,
  VISIT_WELL_CHILD,
  VISIT_TELEHEALTH,
  VISIT_BEHAVIORAL,
  VISIT_HOME,
  VISIT_EMERGENCY,
  VISIT_INPATIENT,
  VISIT_FOLLOW_UP,
  N_VISIT_KINDS
} VisitKind;

static const char * const visit_types[N_VISIT_KINDS] = {
  [VISIT_OFFICE] = "office visit",
  [VISIT_CHRONIC] = "chronic care follow-up",
  [VISIT_WELLNESS] = "annual wellness visit",
  [VISIT_WELL_CHILD] = "well-child visit",
  [VISIT_TELEHEALTH] = "telehealth visit",
  [VISIT_BEHAVIORAL] = "behavioral health visit",
  [VISIT_HOME] = "home visit",
  [VISIT_EMERGENCY] = "emergency department visit",
  [VISIT_INPATIENT] = "inpatient stay",
  [VISIT_FOLLOW_UP] = "post-discharge follow-up",
};

/* Why someone came in; some reasons bring a short course of medicine. */
typedef struct
{
  const char *display;
  const char *code;
  Med         course;
  Med         course2;
} Reason;

#define NO_COURSE N_MEDS, N_MEDS

/* Common reasons for a same-day office visit, about as often as listed. */
static const Reason office_reasons[] = {
  { "Cough", "49727002", NO_COURSE },
  { "Cough", "49727002", NO_COURSE },
  { "Pain in throat", "162397003", NO_COURSE },
  { "Low back pain", "279039007", NO_COURSE },
  { "Low back pain", "279039007", NO_COURSE },
  { "Eruption of skin", "271807003", NO_COURSE },
  { "Otalgia", "16001004", NO_COURSE },
  { "Fatigue", "84229001", NO_COURSE },
  { "Dizziness", "404640003", NO_COURSE },
  { "Knee pain", "30989003", NO_COURSE },
  { "Headache", "25064002", NO_COURSE },
  { "Abdominal pain", "21522001", NO_COURSE },
  { "Insomnia", "193462001", NO_COURSE },
  { "Urinary tract infection", "68566005", MED_CEPHALEXIN, N_MEDS },
};

static const Reason emergency_reasons[] = {
  { "Chest pain", "29857009", NO_COURSE },
  { "Dyspnea", "267036007", NO_COURSE },
  { "Accidental fall", "217082002", NO_COURSE },
  { "Abdominal pain", "21522001", NO_COURSE },
  { "Fever", "386661006", NO_COURSE },
  { "Headache", "25064002", NO_COURSE },
  { "Backache", "161891005", NO_COURSE },
  { "Syncope", "271594007", NO_COURSE },
  { "Cellulitis", "128045006", MED_CEPHALEXIN, N_MEDS },
};

static const Reason inpatient_reasons[] = {
  { "Pneumonia", "233604007", MED_AMOXICILLIN, N_MEDS },
  { "Cellulitis", "128045006", MED_CEPHALEXIN, N_MEDS },
  { "Fracture of neck of femur", "5913000", NO_COURSE },
  { "Sepsis", "91302008", NO_COURSE },
  { "Chest pain", "29857009", NO_COURSE },
};

static const Reason reason_heart_failure = { "Heart failure", "84114007", NO_COURSE };
static const Reason reason_copd = { "Acute exacerbation of chronic obstructive airways disease",
                                    "195951007", MED_PREDNISONE, MED_AZITHROMYCIN };
static const Reason reason_asthma = { "Asthma", "195967001", MED_PREDNISONE, N_MEDS };
static const Reason reason_hyperglycemia = { "Hyperglycemia", "80394007", NO_COURSE };
static const Reason reason_afib = { "Atrial fibrillation", "49436004", NO_COURSE };

typedef enum
{
  VAX_HEPB,
  VAX_DTAP,
  VAX_IPV,
  VAX_HIB,
  VAX_PCV13,
  VAX_MMR,
  VAX_VARICELLA,
  VAX_HEPA,
  VAX_TDAP,
  VAX_HPV,
  VAX_MENACWY,
  VAX_FLU_TRIVALENT,
  VAX_FLU,
  VAX_FLU_HIGH_DOSE,
  VAX_PPSV23,
  VAX_PCV20,
  VAX_ZOSTER,
  VAX_COVID,
  N_VACCINES
} Vaccine;

static const struct
{
  const char *cvx;
  const char *name;
  int         from_year;    /* first in use (month 1 of this year, or from_month) */
  int         from_month;
} vaccine_defs[N_VACCINES] = {
  [VAX_HEPB] = { "08", "Hep B, adolescent or pediatric", 1991, 1 },
  [VAX_DTAP] = { "20", "DTaP", 1991, 1 },
  [VAX_IPV] = { "10", "IPV", 1987, 1 },
  [VAX_HIB] = { "49", "Hib (PRP-OMP)", 1990, 1 },
  [VAX_PCV13] = { "133", "Pneumococcal conjugate PCV 13", 2010, 3 },
  [VAX_MMR] = { "03", "MMR", 1971, 1 },
  [VAX_VARICELLA] = { "21", "Varicella", 1995, 3 },
  [VAX_HEPA] = { "83", "Hep A, ped/adol, 2 dose", 1996, 1 },
  [VAX_TDAP] = { "115", "Tdap", 2005, 6 },
  [VAX_HPV] = { "165", "HPV9", 2015, 1 },
  [VAX_MENACWY] = { "136", "Meningococcal MCV4O", 2010, 3 },
  [VAX_FLU_TRIVALENT] = { "140", "Influenza, seasonal, injectable, preservative free", 2005, 8 },
  [VAX_FLU] = { "150", "Influenza, injectable, quadrivalent, preservative free", 2013, 8 },
  [VAX_FLU_HIGH_DOSE] = { "197", "Influenza, high-dose, quadrivalent", 2020, 8 },
  [VAX_PPSV23] = { "33", "Pneumococcal polysaccharide PPV23", 1983, 1 },
  [VAX_PCV20] = { "216", "Pneumococcal conjugate PCV 20", 2021, 10 },
  [VAX_ZOSTER] = { "187", "Zoster recombinant", 2018, 1 },
  [VAX_COVID] = { "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", 2020, 12 },
};

/* The routine childhood and adolescent schedule, by age in days. */
static const struct
{
  Vaccine vaccine;
  int     age_days;
  int     dose;
} child_schedule[] = {
  { VAX_HEPB, 0, 1 }, { VAX_HEPB, 30, 2 }, { VAX_HEPB, 183, 3 },
  { VAX_DTAP, 61, 1 }, { VAX_DTAP, 122, 2 }, { VAX_DTAP, 183, 3 }, { VAX_DTAP, 457, 4 },
  { VAX_DTAP, 1461, 5 },
  { VAX_IPV, 61, 1 }, { VAX_IPV, 122, 2 }, { VAX_IPV, 183, 3 }, { VAX_IPV, 1461, 4 },
  { VAX_HIB, 61, 1 }, { VAX_HIB, 122, 2 }, { VAX_HIB, 365, 3 },
  { VAX_PCV13, 61, 1 }, { VAX_PCV13, 122, 2 }, { VAX_PCV13, 183, 3 }, { VAX_PCV13, 365, 4 },
  { VAX_MMR, 365, 1 }, { VAX_MMR, 1461, 2 },
  { VAX_VARICELLA, 365, 1 }, { VAX_VARICELLA, 1461, 2 },
  { VAX_HEPA, 365, 1 }, { VAX_HEPA, 548, 2 },
  { VAX_TDAP, 4018, 1 },
  { VAX_HPV, 4018, 1 }, { VAX_HPV, 4200, 2 },
  { VAX_MENACWY, 4018, 1 }, { VAX_MENACWY, 5844, 2 },
};

/* Well-child visits, by age in days. */
static const int well_child_ages[] = {
  5, 30, 61, 122, 183, 274, 365, 457, 548, 730, 913, 1096,
};

/* Median weight (kg) by age in years, both sexes, rounded: a rough growth curve. */
static const double child_weight_ages[] = { 0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                            11, 12, 13, 14, 15, 16, 17, 18 };
static const double child_weight_kg[] = { 3.4, 6.0, 7.8, 9.8, 11.0, 12.2, 14.3, 16.3, 18.4, 20.7,
                                          23.0, 25.6, 28.6, 32.0, 36.0, 40.5, 45.6, 50.8, 55.5,
                                          59.0, 62.0, 64.0 };

/* Generator state ---------------------------------------------------------- */

/* value(t) = now - rate × (years before today) + noise, clamped to [lo, hi]. */
typedef struct
{
  double now;
  double rate;
  double noise;
  double lo;
  double hi;
} Trend;

typedef struct
{
  Uuid          id;
  guint         order;          /* insertion order: the last tie-break when sorting */
  VisitKind     kind;
  const char   *klass;
  const char   *status;
  Day           day;
  Day           end_day;        /* the day of discharge, for stays */
  Time          start;
  Time          end;            /* 0: still open, or planned */
  guint         practitioner;
  Org           org;
  const Reason *reason;
  const char   *reason_display;
  const char   *reason_code;
  const char   *admit_source;
  const char   *discharge;
} Encounter;

typedef struct
{
  Rng           rng;
  guint         number;
  Uuid          id;
  Day           birth;
  int           age;
  gboolean      female;
  CareHeritage  heritage;
  Day           since;          /* when the patient joined the clinic */
  Day           first_day;      /* first day of the generated visit history */
  guint         town;
  Org           clinic;
  guint         pcp;            /* the care team, chosen once so that tasks, notes */
  guint         nurse;          /* and the team list name the same people */
  guint         coordinator;
  guint         therapist;
  guint         social_worker;
  guint         pharmacist;
  gboolean      uses_pharmacy;
  double        adherence;

  gboolean      has[N_CONDITIONS];
  Day           onset[N_CONDITIONS];
  Uuid          condition_ids[N_CONDITIONS];
  guint         n_conditions;
  double        burden;

  gboolean      allergic[N_ALLERGIES];
  Day           lisinopril_stopped;

  double        height;
  double        child_size;
  Trend         bmi;
  Trend         systolic;
  Trend         a1c;
  Trend         egfr;
  Trend         ldl;
  Trend         phq9;
  gboolean      treated_lipids;
  gboolean      screens_phq9;
  gboolean      sees_behavioral_health;

  GArray       *encounters;     /* of Encounter, sorted by start */
  Day           last_discharge; /* within the last year, or NO_DAY */
  const char   *last_discharge_reason;
  const char   *last_discharge_to;
  int           last_stay_days;

  gboolean      on[N_MEDS];
  guint         n_active_meds;

  guint         n_seen[N_OBS];
  double        last[N_OBS];
  double        previous[N_OBS];
  Day           last_day[N_OBS];
} Patient;

typedef struct
{
  CareDb     *db;
  CareFields *fields;
  GError     *error;      /* the first error; later writes are skipped */
  guint64     seed;
  Day         today;
  Day         history_start;
  Uuid        org_ids[N_ORGS];
  Uuid        staff_ids[N_STAFF];
  guint64     mrn_offset;
  guint64     member_offset;
  GArray     *encounters;
} Gen;

/* Writing ----------------------------------------------------------------- */

static void
put (Gen        *gen,
     const char *table,
     const Uuid *id)
{
  if (gen->error == NULL)
    care_db_put (gen->db, ACTOR, table, id->str, gen->fields, NULL, &gen->error);
  care_fields_clear (gen->fields);
}

static void
set (Gen        *gen,
     const char *column,
     const char *value)
{
  if (value != NULL)
    care_fields_set (gen->fields, column, value);
}

static void
set_int (Gen        *gen,
         const char *column,
         gint64      value)
{
  care_fields_set_int (gen->fields, column, value);
}

/* Numbers go in as text with a fixed number of decimals: "7.3", not
 * "7.2999999999999998", and never with a locale's decimal comma. */
static void
format_number (char   *buf,
               gsize   size,
               double  value,
               int     decimals)
{
  g_ascii_formatd (buf, size, decimals == 0 ? "%.0f" : decimals == 1 ? "%.1f" : "%.2f", value);
}

static void
set_number (Gen        *gen,
            const char *column,
            double      value,
            int         decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  format_number (buf, sizeof buf, value, decimals);
  care_fields_set (gen->fields, column, buf);
}

static void
set_date (Gen        *gen,
          const char *column,
          Day         day)
{
  char buf[16];

  format_date (day, buf);
  care_fields_set (gen->fields, column, buf);
}

static void
set_time (Gen        *gen,
          const char *column,
          Time        t)
{
  char buf[24];

  format_time (t, buf);
  care_fields_set (gen->fields, column, buf);
}

static void
set_staff (Gen        *gen,
           const char *column,
           guint       staff)
{
  if (staff != NO_STAFF)
    care_fields_set (gen->fields, column, gen->staff_ids[staff].str);
}

static double
round_to (double value,
          int    decimals)
{
  double scale = decimals == 0 ? 1 : decimals == 1 ? 10 : 100;
  double scaled = value * scale;

  return (double) (gint64) (scaled < 0 ? scaled - 0.5 : scaled + 0.5) / scale;
}

/* Staff ------------------------------------------------------------------- */

static guint
pick_staff (Rng        *rng,
            Org         org,
            Discipline  discipline)
{
  guint matches[N_STAFF];
  guint n = 0;

  for (guint i = 0; i < N_STAFF; i++)
    if (staff_defs[i].org == org && staff_defs[i].discipline == discipline)
      matches[n++] = i;

  return n > 0 ? matches[rng_below (rng, n)] : NO_STAFF;
}

/* The clinic's own, or else the CCO's. */
static guint
pick_staff_or_cco (Rng        *rng,
                   Org         org,
                   Discipline  discipline)
{
  guint staff = pick_staff (rng, org, discipline);

  return staff != NO_STAFF ? staff : pick_staff (rng, ORG_CCO, discipline);
}

static guint
pick_clinician (Rng *rng,
                Org  org)
{
  guint matches[N_STAFF];
  guint n = 0;

  for (guint i = 0; i < N_STAFF; i++)
    if (staff_defs[i].org == org &&
        (staff_defs[i].discipline == PHYSICIAN || staff_defs[i].discipline == NURSE_PRACTITIONER))
      matches[n++] = i;

  g_assert (n > 0);
  return matches[rng_below (rng, n)];
}

static void
write_organizations_and_staff (Gen *gen)
{
  guint64 npis[N_STAFF];
  char buf[128];
  Rng rng;

  rng_init (&rng, gen->seed, STREAM_STAFF);

  for (guint i = 0; i < N_ORGS; i++)
    {
      rng_uuid (&rng, &gen->org_ids[i]);
      set (gen, "name", org_defs[i].name);
      set (gen, "kind", org_defs[i].kind);
      set (gen, "phone", org_defs[i].phone);
      set (gen, "address_line", org_defs[i].address_line);
      set (gen, "city", org_defs[i].city);
      set (gen, "state", "OR");
      set (gen, "postal_code", org_defs[i].postal_code);
      put (gen, "organizations", &gen->org_ids[i]);
    }

  for (guint i = 0; i < N_STAFF; i++)
    {
      Discipline discipline = staff_defs[i].discipline;
      gboolean has_npi = discipline != NURSE && discipline != CARE_COORDINATOR &&
                         discipline != FRONT_DESK;

      rng_uuid (&rng, &gen->staff_ids[i]);

      /* Synthetic NPIs start with 9, outside the range CMS issues. */
      npis[i] = 0;
      while (has_npi && npis[i] == 0)
        {
          npis[i] = G_GUINT64_CONSTANT (9000000000) + rng_below (&rng, 1000000000);
          for (guint j = 0; j < i; j++)
            if (npis[j] == npis[i])
              npis[i] = 0;
        }

      set (gen, "given_name", staff_defs[i].given);
      set (gen, "family_name", staff_defs[i].family);
      set (gen, "discipline", discipline_names[discipline]);
      set (gen, "credentials", staff_defs[i].credentials);
      if (has_npi)
        set_int (gen, "npi", (gint64) npis[i]);
      set (gen, "organization_id", gen->org_ids[staff_defs[i].org].str);
      g_snprintf (buf, sizeof buf, "(541) 555-%s", staff_defs[i].line);
      set (gen, "phone", buf);
      g_snprintf (buf, sizeof buf, "%s@%s", staff_defs[i].mailbox,
                  org_defs[staff_defs[i].org].domain);
      set (gen, "email", buf);
      set_int (gen, "active", 1);
      put (gen, "practitioners", &gen->staff_ids[i]);
    }
}

/* Demographics -------------------------------------------------------------- */

static void
choose_language (Patient     *p,
                 const char **language,
                 gboolean    *interpreter)
{
  Rng *rng = &p->rng;
  double chance = 0;
  const char *other = "es";

  switch (p->heritage)
    {
    case CARE_HERITAGE_HISPANIC:
      chance = p->age < 18 ? 0.45 : p->age < 40 ? 0.62 : 0.76;
      break;
    case CARE_HERITAGE_SLAVIC:
      chance = p->age < 40 ? 0.35 : 0.6;
      other = "ru";
      break;
    case CARE_HERITAGE_VIETNAMESE:
      chance = p->age < 40 ? 0.25 : 0.55;
      other = "vi";
      break;
    case CARE_HERITAGE_EUROPEAN:
    case CARE_N_HERITAGES:
    default:
      chance = 0.004;
      break;
    }

  if (rng_chance (rng, chance))
    {
      *language = other;
      *interpreter = rng_chance (rng, p->age < 18 ? 0.4 : 0.85);
    }
  else
    {
      *language = "en";
      *interpreter = FALSE;
    }
}

static void
choose_family_name (Patient *p,
                    char    *buf,
                    gsize    size)
{
  Rng *rng = &p->rng;
  const CareNameList *families = care_names_family (p->heritage);

  g_strlcpy (buf, pick_name (rng, families), size);

  if (p->heritage == CARE_HERITAGE_HISPANIC && rng_chance (rng, 0.12))
    {
      /* Both family names, as on many Mexican documents. */
      g_strlcat (buf, " ", size);
      g_strlcat (buf, pick_name (rng, families), size);
    }
  else if (p->heritage == CARE_HERITAGE_EUROPEAN && rng_chance (rng, 0.015))
    {
      g_strlcat (buf, "-", size);
      g_strlcat (buf, pick_name (rng, families), size);
    }
  else if (p->heritage == CARE_HERITAGE_SLAVIC && p->female && g_str_has_suffix (buf, "ov"))
    {
      g_strlcat (buf, "a", size);
    }
}

static const char *
choose_middle_name (Patient            *p,
                    const CareNameList *given_names,
                    const char         *given)
{
  Rng *rng = &p->rng;
  const char *middle;

  switch (p->heritage)
    {
    case CARE_HERITAGE_VIETNAMESE:
      return rng_chance (rng, 0.7) ? (p->female ? "Thi" : "Van") : NULL;
    case CARE_HERITAGE_SLAVIC:
      return NULL;
    case CARE_HERITAGE_HISPANIC:
      if (!rng_chance (rng, 0.35))
        return NULL;
      break;
    case CARE_HERITAGE_EUROPEAN:
    case CARE_N_HERITAGES:
    default:
      if (!rng_chance (rng, 0.55))
        return NULL;
      break;
    }

  middle = pick_name (rng, given_names);
  return g_str_equal (middle, given) || strchr (given, ' ') != NULL ? NULL : middle;
}

static void
choose_demographics (Gen     *gen,
                     Patient *p)
{
  Rng *rng = &p->rng;
  int band = (int) rng_weighted (rng, age_band_weights, G_N_ELEMENTS (age_band_weights));
  int years = band * 5 + rng_range (rng, 0, 4);
  guint town_weights[G_N_ELEMENTS (town_defs)];

  p->birth = gen->today - (Day) (years * 365.2425) - rng_range (rng, 1, 364);
  p->age = age_on (p->birth, gen->today);
  p->female = rng_chance (rng, 0.51);
  p->heritage = (CareHeritage) rng_weighted (rng, heritage_weights, CARE_N_HERITAGES);

  /* Most children were born into the clinic; some adults joined recently. */
  if (p->birth >= gen->history_start)
    p->since = p->birth;
  else if (rng_chance (rng, 0.2))
    p->since = day_max (p->birth, gen->today - rng_range (rng, 30, 1000));
  else
    p->since = day_max (p->birth, gen->today - rng_range (rng, 3 * 365, 20 * 365));
  p->first_day = MAX (gen->history_start, p->since + 3);

  p->uses_pharmacy = rng_chance (rng, 0.85);
  p->adherence = rng_chance (rng, 0.75) ? 0.92 : 0.45;

  /* Most go to the clinic in their town. */
  for (guint i = 0; i < G_N_ELEMENTS (town_defs); i++)
    town_weights[i] = town_defs[i].weight;
  p->town = rng_weighted (rng, town_weights, G_N_ELEMENTS (town_defs));
  p->clinic = rng_chance (rng, 0.88) ? town_defs[p->town].clinic : RNG_PICK (rng, clinics);

  p->pcp = pick_clinician (rng, p->clinic);
  p->nurse = pick_staff (rng, p->clinic, NURSE);
  p->coordinator = pick_staff_or_cco (rng, p->clinic, CARE_COORDINATOR);
  p->therapist = pick_staff_or_cco (rng, p->clinic, BEHAVIORAL_HEALTH);
  p->social_worker = pick_staff_or_cco (rng, p->clinic, SOCIAL_WORKER);
  p->pharmacist = pick_staff (rng, ORG_PHARMACY, PHARMACIST);
}

static void
write_patient (Gen     *gen,
               Patient *p)
{
  Rng *rng = &p->rng;
  const CareNameList *given_names;
  const char *given, *middle, *language, *sex, *area_code, *street;
  g_autofree char *plain_given = NULL, *plain_middle = NULL;
  gboolean interpreter;
  char family[96], buf[96];
  guint64 mrn;
  int house;
  double r;

  rng_uuid (rng, &p->id);

  given_names = care_names_given (p->heritage, p->female, day_year (p->birth));
  given = pick_name (rng, given_names);
  middle = choose_middle_name (p, given_names, given);
  choose_family_name (p, family, sizeof family);
  choose_language (p, &language, &interpreter);

  /* Registration systems often dropped accents: "Hernandez" for "Hernández". Search
   * has to find both. */
  if (p->heritage == CARE_HERITAGE_HISPANIC && rng_chance (rng, 0.3))
    {
      g_autofree char *plain_family = g_str_to_ascii (family, "C");

      plain_given = g_str_to_ascii (given, "C");
      plain_middle = middle ? g_str_to_ascii (middle, "C") : NULL;
      g_strlcpy (family, plain_family, sizeof family);
      given = plain_given;
      middle = plain_middle;
    }

  /* Multiplying by a number prime to the range permutes it: unique MRNs and member
   * ids that do not look sequential. */
  mrn = (p->number * G_GUINT64_CONSTANT (6700417) + gen->mrn_offset) % 9000000;
  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, 1000000 + mrn);
  set (gen, "mrn", buf);
  set (gen, "given_name", given);
  set (gen, "middle_name", middle);
  set (gen, "family_name", family);
  set_date (gen, "birth_date", p->birth);

  r = rng_double (rng);
  sex = r < 0.002 ? "other" : r < 0.004 ? "unknown" : p->female ? "female" : "male";
  set (gen, "sex", sex);
  if (p->age >= 18 && rng_chance (rng, 0.2))
    {
      r = rng_double (rng);
      if (g_str_equal (sex, "other") || r < 0.02)
        set (gen, "gender_identity", "non-binary");
      else if (r < 0.03)
        set (gen, "gender_identity", p->female ? "transgender-male" : "transgender-female");
      else if (r < 0.04)
        set (gen, "gender_identity", "non-disclose");
      else if (!g_str_equal (sex, "unknown"))
        set (gen, "gender_identity", sex);
    }

  area_code = rng_chance (rng, 0.8) ? "541" : "458";
  g_snprintf (buf, sizeof buf, "(%s) 555-%04d", area_code, rng_range (rng, 200, 9999));
  set (gen, "phone", buf);

  /* Town addresses, and long rural ones. */
  street = RNG_PICK (rng, street_names);
  house = rng_chance (rng, 0.6) ? rng_range (rng, 100, 2999) : rng_range (rng, 20000, 39999);
  if (house < 3000 && rng_chance (rng, 0.15))
    g_snprintf (buf, sizeof buf, "%d %s, Apt %d", house, street, rng_range (rng, 1, 24));
  else
    g_snprintf (buf, sizeof buf, "%d %s", house, street);
  set (gen, "address_line", buf);
  set (gen, "city", town_defs[p->town].city);
  set (gen, "state", "OR");
  set (gen, "postal_code", town_defs[p->town].postal_code);
  set (gen, "preferred_language", language);
  set_int (gen, "interpreter_needed", interpreter ? 1 : 0);

  if (rng_chance (rng, 0.92))
    {
      guint64 member = (p->number * G_GUINT64_CONSTANT (715827883) + gen->member_offset) %
                       900000000;

      g_snprintf (buf, sizeof buf, "OR%" G_GUINT64_FORMAT, 100000000 + member);
      set (gen, "cco_member_id", buf);
    }
  if (p->uses_pharmacy)
    set (gen, "preferred_pharmacy_id", gen->org_ids[ORG_PHARMACY].str);
  set (gen, "primary_organization_id", gen->org_ids[p->clinic].str);
  set_staff (gen, "primary_practitioner_id", p->pcp);
  set_int (gen, "active", 1);

  put (gen, "patients", &p->id);
}

/* Conditions and trends ----------------------------------------------------- */

static double
condition_chance (const Patient *p,
                  Condition      condition)
{
  const gboolean *has = p->has;
  int age = p->age;
  double sex_factor = p->female ? 1.3 : 0.72;

  if (age < condition_defs[condition].min_onset_age)
    return 0;

  switch (condition)
    {
    case COND_OBESITY:
      return age >= 18 ? 0.30 : 0.16;
    case COND_HYPERTENSION:
      return (age < 40 ? 0.07 : age < 60 ? 0.26 : age < 75 ? 0.40 : 0.52) *
             (has[COND_OBESITY] ? 1.3 : 0.88);
    case COND_DIABETES:
      return (age < 45 ? 0.035 : age < 65 ? 0.12 : 0.25) * (has[COND_OBESITY] ? 1.7 : 0.67);
    case COND_HYPERLIPIDEMIA:
      return (age < 40 ? 0.06 : age < 65 ? 0.24 : 0.38) * (has[COND_DIABETES] ? 1.6 : 0.92);
    case COND_CKD:
      return (age < 60 ? 0.02 : age < 75 ? 0.09 : 0.18) * (has[COND_DIABETES] ? 2.0 : 0.85) *
             (has[COND_HYPERTENSION] ? 1.3 : 0.85);
    case COND_HEART_FAILURE:
      return (age < 65 ? 0.012 : age < 80 ? 0.05 : 0.10) * (has[COND_HYPERTENSION] ? 1.6 : 0.6);
    case COND_AFIB:
      return age < 65 ? 0.015 : age < 80 ? 0.06 : 0.12;
    case COND_COPD:
      return age < 65 ? 0.05 : 0.11;
    case COND_ASTHMA:
      return age < 18 ? 0.09 : 0.08;
    case COND_OSTEOARTHRITIS:
      return (age < 65 ? 0.12 : 0.30) * (has[COND_OBESITY] ? 1.3 : 0.9);
    case COND_DEPRESSION:
      return (age < 18 ? 0.07 : 0.14) * sex_factor;
    case COND_ANXIETY:
      return (age < 18 ? 0.08 : 0.11) * sex_factor * (has[COND_DEPRESSION] ? 1.8 : 0.9);
    case N_CONDITIONS:
    default:
      return 0;
    }
}

static Day
choose_onset (Gen       *gen,
              Patient   *p,
              Condition  condition)
{
  Day earliest = add_years (p->birth, condition_defs[condition].min_onset_age);
  Day latest = gen->today - 30;

  /* Most chronic conditions began within the last twenty years. */
  earliest = MAX (earliest, gen->today - 20 * 365);
  if (earliest >= latest)
    return MIN (earliest, gen->today - 1);
  return earliest + rng_range (&p->rng, 0, latest - earliest);
}

static void
choose_conditions (Gen     *gen,
                   Patient *p)
{
  for (guint c = 0; c < N_CONDITIONS; c++)
    {
      if (!rng_chance (&p->rng, condition_chance (p, c)))
        continue;

      p->has[c] = TRUE;
      p->onset[c] = choose_onset (gen, p, c);
      p->n_conditions++;
      p->burden += condition_defs[c].burden;
    }
}

static double
trend_at (const Trend *trend,
          Rng         *rng,
          double       years_ago)
{
  double value = trend->now - trend->rate * years_ago + trend->noise * rng_normal (rng);

  return clamp_double (value, trend->lo, trend->hi);
}

/* A trend whose level today and yearly rate are drawn uniformly, in that order. */
static void
draw_trend (Trend  *trend,
            Rng    *rng,
            double  now_lo,
            double  now_hi,
            double  rate_lo,
            double  rate_hi,
            double  noise)
{
  trend->now = rng_uniform (rng, now_lo, now_hi);
  trend->rate = rng_uniform (rng, rate_lo, rate_hi);
  trend->noise = noise;
}

static void
set_limits (Trend  *trend,
            double  lo,
            double  hi)
{
  trend->lo = lo;
  trend->hi = hi;
}

static void
choose_trends (Patient *p)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;
  double r;

  p->height = p->female ? 1.63 + 0.065 * rng_normal (rng) : 1.77 + 0.07 * rng_normal (rng);
  p->child_size = clamp_double (1.0 + 0.11 * rng_normal (rng), 0.78, 1.3);
  if (has[COND_OBESITY] && p->age < 18)
    p->child_size = rng_uniform (rng, 1.3, 1.55);

  /* Heart failure patients' weight swings with fluid. */
  if (has[COND_OBESITY])
    draw_trend (&p->bmi, rng, 30.5, 40, -0.8, 0.6, has[COND_HEART_FAILURE] ? 0.8 : 0.3);
  else
    draw_trend (&p->bmi, rng, 19.5, 29.5, -0.3, 0.5, has[COND_HEART_FAILURE] ? 0.8 : 0.3);
  set_limits (&p->bmi, 15, 70);

  /* Blood pressure: most treated hypertensives improve; some stay high or drift up. */
  r = rng_double (rng);
  if (!has[COND_HYPERTENSION])
    {
      double expected = 108 + 0.35 * MAX (0, p->age - 30) + 6 * rng_normal (rng);

      draw_trend (&p->systolic, rng, 0, 0, 0, 1.2, 7);
      p->systolic.now = clamp_double (expected, 96, 136);
    }
  else if (r < 0.5)
    draw_trend (&p->systolic, rng, 124, 138, -7, -3, 7);
  else if (r < 0.8)
    draw_trend (&p->systolic, rng, 141, 156, -1, 1, 7);
  else
    draw_trend (&p->systolic, rng, 146, 168, 3, 6, 7);
  set_limits (&p->systolic, 85, 220);

  /* HbA1c: well controlled, improving from poor control, or poorly controlled. */
  r = rng_double (rng);
  if (!has[COND_DIABETES] && has[COND_OBESITY])
    draw_trend (&p->a1c, rng, 5.4, 6.2, 0.05, 0.05, 0.12);
  else if (!has[COND_DIABETES])
    draw_trend (&p->a1c, rng, 4.9, 5.8, 0.05, 0.05, 0.12);
  else if (r < 0.45)
    draw_trend (&p->a1c, rng, 6.3, 7.5, -0.15, 0.15, 0.25);
  else if (r < 0.75)
    draw_trend (&p->a1c, rng, 7.5, 8.9, -0.6, -0.2, 0.25);
  else
    draw_trend (&p->a1c, rng, 9.1, 11.8, 0, 0.5, 0.3);
  set_limits (&p->a1c, 4.2, has[COND_DIABETES] ? 15 : 6.4);

  /* eGFR declines slowly with age, faster with kidney disease. */
  r = rng_double (rng);
  if (has[COND_CKD] && r < 0.55)
    draw_trend (&p->egfr, rng, 45, 59, -3.5, -1, 3.5);
  else if (has[COND_CKD] && r < 0.85)
    draw_trend (&p->egfr, rng, 30, 44, has[COND_DIABETES] ? -5 : -3.5, -1, 3.5);
  else if (has[COND_CKD])
    draw_trend (&p->egfr, rng, 16, 29, has[COND_DIABETES] ? -5 : -3.5, -1, 3.5);
  else
    {
      double expected = 108 - 0.8 * MAX (0, p->age - 25) + 8 * rng_normal (rng);

      draw_trend (&p->egfr, rng, 0, 0, -1.5, -0.5, 3.5);
      p->egfr.now = MAX (64, expected);
    }
  set_limits (&p->egfr, has[COND_CKD] ? 5 : 60, 130);

  p->treated_lipids = has[COND_HYPERLIPIDEMIA] && rng_chance (rng, 0.8);
  if (p->treated_lipids)
    draw_trend (&p->ldl, rng, 68, 125, -20, -8, 8);
  else if (has[COND_HYPERLIPIDEMIA])
    draw_trend (&p->ldl, rng, 150, 200, 0, 3, 8);
  else
    draw_trend (&p->ldl, rng, 75, 135, 0, 0, 8);
  set_limits (&p->ldl, 30, 260);

  /* PHQ-9: depression improves on treatment for most, not for all. */
  r = rng_double (rng);
  if (has[COND_DEPRESSION] && r < 0.55)
    draw_trend (&p->phq9, rng, 2, 9, -5, -2, 1.5);
  else if (has[COND_DEPRESSION] && r < 0.85)
    draw_trend (&p->phq9, rng, 10, 16, -1, 1, 1.5);
  else if (has[COND_DEPRESSION])
    draw_trend (&p->phq9, rng, 14, 22, 2, 4, 1.5);
  else if (has[COND_ANXIETY])
    draw_trend (&p->phq9, rng, 4, 11, -1, 0, 1.5);
  else
    {
      draw_trend (&p->phq9, rng, 0, 1.7, 0, 0, 1.5);
      p->phq9.now *= rng_double (rng);
    }
  set_limits (&p->phq9, 0, 27);

  p->screens_phq9 = p->age >= 12 && rng_chance (rng, 0.5);
  p->sees_behavioral_health = (has[COND_DEPRESSION] || has[COND_ANXIETY]) && p->age >= 12 &&
                              rng_chance (rng, 0.45);
}

static void
write_conditions (Gen     *gen,
                  Patient *p)
{
  for (guint c = 0; c < N_CONDITIONS; c++)
    {
      const char *status = "active";
      Day recorded = p->onset[c];

      if (!p->has[c])
        continue;

      rng_uuid (&p->rng, &p->condition_ids[c]);
      if (c == COND_DEPRESSION && p->phq9.now < 5 && rng_chance (&p->rng, 0.5))
        status = "remission";
      /* Older problems were entered when the patient joined. */
      if (recorded < p->since)
        recorded = day_min (p->since + rng_range (&p->rng, 0, 60), gen->today - 1);

      set (gen, "patient_id", p->id.str);
      set (gen, "code_system", SNOMED);
      set (gen, "code", condition_defs[c].code);
      set (gen, "display", condition_defs[c].display);
      set (gen, "clinical_status", status);
      set (gen, "verification_status", "confirmed");
      set (gen, "category", "problem-list-item");
      set_date (gen, "onset_date", p->onset[c]);
      set_date (gen, "recorded_date", recorded);
      set_staff (gen, "asserter_id", p->pcp);
      put (gen, "conditions", &p->condition_ids[c]);
    }
}

/* Allergies ---------------------------------------------------------------- */

static void
write_allergy (Gen     *gen,
               Patient *p,
               Allergy  allergy,
               Day      recorded)
{
  Uuid id;

  rng_uuid (&p->rng, &id);
  p->allergic[allergy] = TRUE;

  set (gen, "patient_id", p->id.str);
  set (gen, "code_system", allergy_defs[allergy].code_system);
  set (gen, "code", allergy_defs[allergy].code);
  set (gen, "substance", allergy_defs[allergy].substance);
  set (gen, "type", allergy_defs[allergy].type);
  set (gen, "category", allergy_defs[allergy].category);
  set (gen, "criticality", allergy_defs[allergy].criticality);
  set (gen, "clinical_status", "active");
  set (gen, "verification_status", rng_chance (&p->rng, 0.85) ? "confirmed" : "unconfirmed");
  set (gen, "reaction", allergy_defs[allergy].reaction);
  set (gen, "severity", allergy_defs[allergy].severity);
  set_date (gen, "recorded_date", recorded);
  set_staff (gen, "recorder_id", p->nurse);
  put (gen, "allergies", &id);
}

/* Penicillin with hives and penicillin with anaphylaxis are one substance. */
static gboolean
has_substance (const Patient *p,
               Allergy        allergy)
{
  for (guint i = 0; i < N_ALLERGIES; i++)
    if (p->allergic[i] && g_str_equal (allergy_defs[i].substance, allergy_defs[allergy].substance))
      return TRUE;

  return FALSE;
}

/* About 30% have allergies, 50% "no known allergies", and the rest nothing recorded. */
static void
write_allergies (Gen     *gen,
                 Patient *p)
{
  Rng *rng = &p->rng;
  guint weights[N_ALLERGIES];
  Day recorded = day_min (p->since + rng_range (rng, 0, 30), gen->today - 1);
  double r = rng_double (rng);

  for (guint i = 0; i < N_ALLERGIES; i++)
    weights[i] = allergy_defs[i].weight;

  /* The lisinopril cough: write_medications() stops lisinopril on this day. */
  p->lisinopril_stopped = NO_DAY;
  if (p->has[COND_HYPERTENSION] && p->age >= 30 && rng_chance (rng, 0.06))
    {
      Day stopped = MAX (p->onset[COND_HYPERTENSION], p->since) + rng_range (rng, 30, 400);

      if (stopped < gen->today - 7)
        {
          p->lisinopril_stopped = stopped;
          write_allergy (gen, p, ALLERGY_LISINOPRIL, stopped);
          if (r >= 0.30)
            return;
        }
    }

  if (r < 0.30)
    {
      guint n = rng_chance (rng, 0.25) ? 2 : 1;

      for (guint i = 0; i < n; i++)
        {
          Allergy allergy = rng_weighted (rng, weights, N_ALLERGIES);

          if (!has_substance (p, allergy))
            write_allergy (gen, p, allergy, recorded);
        }
    }
  else if (r < 0.80)
    {
      Uuid id;

      rng_uuid (rng, &id);
      set (gen, "patient_id", p->id.str);
      set (gen, "code_system", SNOMED);
      set (gen, "code", "716186003");
      set (gen, "substance", "No known allergy");
      set (gen, "clinical_status", "active");
      set (gen, "verification_status", "confirmed");
      set_date (gen, "recorded_date", recorded);
      set_staff (gen, "recorder_id", p->nurse);
      put (gen, "allergies", &id);
    }
}

static gboolean
allergic_to_penicillins (const Patient *p)
{
  return p->allergic[ALLERGY_PENICILLIN] || p->allergic[ALLERGY_PENICILLIN_ANAPHYLAXIS] ||
         p->allergic[ALLERGY_AMOXICILLIN];
}

/* Encounters ---------------------------------------------------------------- */

static Encounter *
add_encounter (Patient    *p,
               VisitKind   kind,
               const char *klass,
               Day         day,
               Time        start,
               guint       practitioner,
               Org         org)
{
  Encounter e = { 0 };

  e.order = p->encounters->len;
  e.kind = kind;
  e.klass = klass;
  e.status = "finished";
  e.day = day;
  e.end_day = day;
  e.start = start;
  e.practitioner = practitioner;
  e.org = org;
  g_array_append_val (p->encounters, e);

  return &g_array_index (p->encounters, Encounter, p->encounters->len - 1);
}

static void
set_reason (Encounter    *e,
            const Reason *reason)
{
  e->reason = reason;
  e->reason_display = reason->display;
  e->reason_code = reason->code;
}

/* Clinics are closed at weekends: move to the Friday before or the Monday after. */
static Day
clinic_day (Gen *gen,
            Day  day)
{
  switch (weekday (day))
    {
    case 6:
      return day - 1;
    case 0:
      return day + 1 < gen->today || day >= gen->today ? day + 1 : day - 2;
    default:
      return day;
    }
}

static Encounter *
add_clinic_visit (Gen        *gen,
                  Patient    *p,
                  VisitKind   kind,
                  const char *klass,
                  Day         day,
                  guint       practitioner)
{
  Encounter *e;
  int minutes;

  day = clinic_day (gen, day);
  minutes = kind == VISIT_HOME ? 9 * 60 + 30 * rng_range (&p->rng, 0, 11)
                               : 8 * 60 + 15 * rng_range (&p->rng, 0, 33);
  e = add_encounter (p, kind, klass, day, local_time (day, minutes), practitioner, p->clinic);
  if (day >= gen->today)
    e->status = "planned";
  else
    e->end = e->start + 60 * (kind == VISIT_HOME ? rng_range (&p->rng, 40, 70)
                              : g_str_equal (klass, "VR") ? rng_range (&p->rng, 15, 30)
                              : rng_range (&p->rng, 20, 45));
  return e;
}

/* Who sees the patient for a routine visit: usually their own provider. */
static guint
routine_clinician (Patient *p)
{
  return rng_chance (&p->rng, 0.8) ? p->pcp : pick_clinician (&p->rng, p->clinic);
}

static Condition
random_condition (Patient *p)
{
  guint n = rng_below (&p->rng, p->n_conditions);

  for (guint c = 0; c < N_CONDITIONS; c++)
    if (p->has[c] && n-- == 0)
      return c;

  return COND_HYPERTENSION;
}

/* Days in [first, last] for events at about @per_year a year: one Bernoulli
 * trial per 30-day slot. Returns how many were stored in @days. */
static guint
draw_days (Patient *p,
           Day      first,
           Day      last,
           double   per_year,
           Day     *days,
           guint    max_days)
{
  guint n = 0;

  for (Day slot = first; slot <= last && n < max_days; slot += 30)
    if (rng_chance (&p->rng, per_year * 30 / 365.0))
      days[n++] = day_min (slot + rng_range (&p->rng, 0, 29), last);

  return n;
}

static void
schedule_child_visits (Gen     *gen,
                       Patient *p,
                       Day      first,
                       Day      last)
{
  Rng *rng = &p->rng;
  Day days[64];
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (well_child_ages); i++)
    {
      Day day = p->birth + well_child_ages[i] + rng_range (rng, 0, 10);

      if (day >= first && day <= last && rng_chance (rng, 0.85))
        add_clinic_visit (gen, p, VISIT_WELL_CHILD, "AMB", day, p->pcp);
    }
  for (int years = 4; years < 18; years++)
    {
      Day day = add_years (p->birth, years) + rng_range (rng, 0, 60);

      if (day >= first && day <= last && rng_chance (rng, 0.75))
        add_clinic_visit (gen, p, VISIT_WELL_CHILD, "AMB", day, p->pcp);
    }

  n = draw_days (p, first, last, p->age < 5 ? 1.2 : 0.5, days, G_N_ELEMENTS (days));
  for (guint i = 0; i < n; i++)
    {
      gboolean tele = rng_chance (rng, 0.1);
      Encounter *e = add_clinic_visit (gen, p, tele ? VISIT_TELEHEALTH : VISIT_OFFICE,
                                       tele ? "VR" : "AMB", days[i], routine_clinician (p));

      set_reason (e, &RNG_PICK (rng, office_reasons));
    }

  if (p->has[COND_ASTHMA])
    {
      Day from = day_max (first, p->onset[COND_ASTHMA]);

      n = draw_days (p, from, last, 1.0, days, G_N_ELEMENTS (days));
      for (guint i = 0; i < n; i++)
        {
          Encounter *e = add_clinic_visit (gen, p, VISIT_CHRONIC, "AMB", days[i], p->pcp);

          set_reason (e, &reason_asthma);
        }
    }
}

static void
schedule_adult_visits (Gen     *gen,
                       Patient *p,
                       Day      first,
                       Day      last)
{
  Rng *rng = &p->rng;
  double rate = MIN (0.7 + 0.8 * p->burden + (p->age >= 65 ? 0.3 : 0), 6.0);
  Day days[128];
  guint n;

  n = draw_days (p, first, last, rate, days, G_N_ELEMENTS (days));
  for (guint i = 0; i < n; i++)
    {
      gboolean chronic = p->n_conditions > 0 && rng_chance (rng, 0.65);
      gboolean tele = rng_chance (rng, 0.15);
      VisitKind kind = tele ? VISIT_TELEHEALTH : chronic ? VISIT_CHRONIC : VISIT_OFFICE;
      Encounter *e;

      e = add_clinic_visit (gen, p, kind, tele ? "VR" : "AMB", days[i], routine_clinician (p));
      if (chronic)
        {
          Condition c = random_condition (p);

          e->reason_display = condition_defs[c].display;
          e->reason_code = condition_defs[c].code;
        }
      else
        set_reason (e, &RNG_PICK (rng, office_reasons));
    }

  /* Annual wellness visits from 65, around the same time each year. */
  if (p->age >= 65)
    {
      int anniversary = rng_range (rng, 0, 364);

      for (Day year = gen->today - 365; year >= first - 364; year -= 365)
        {
          Day day = year + anniversary + rng_range (rng, -20, 20);
          gboolean eligible = day >= first && day <= last && day >= add_years (p->birth, 65);

          if (eligible && rng_chance (rng, 0.6))
            add_clinic_visit (gen, p, VISIT_WELLNESS, "AMB", day, p->pcp);
        }
    }

  /* A stretch of behavioral health visits, in person or by video. */
  if (p->sees_behavioral_health)
    {
      Day day = day_max (first, gen->today - rng_range (rng, 60, 540));
      guint count = rng_range (rng, 3, 8);

      for (guint i = 0; i < count && day <= last; i++, day += rng_range (rng, 14, 45))
        {
          gboolean video = rng_chance (rng, 0.55);

          add_clinic_visit (gen, p, VISIT_BEHAVIORAL, video ? "VR" : "AMB", day, p->therapist);
        }
    }

  /* Home visits for the frail. */
  if ((p->age >= 80 && p->burden >= 3) || (p->has[COND_HEART_FAILURE] && p->age >= 75))
    {
      n = draw_days (p, first, last, 2.0, days, G_N_ELEMENTS (days));
      for (guint i = 0; i < n; i++)
        {
          guint who = rng_chance (rng, 0.6) && p->nurse != NO_STAFF ? p->nurse : p->pcp;

          add_clinic_visit (gen, p, VISIT_HOME, "HH", days[i], who);
        }
    }
}

static const Reason *
exacerbation_reason (Patient *p)
{
  Rng *rng = &p->rng;

  if (p->has[COND_HEART_FAILURE] && rng_chance (rng, 0.5))
    return &reason_heart_failure;
  if (p->has[COND_COPD] && rng_chance (rng, 0.5))
    return &reason_copd;
  if (p->has[COND_ASTHMA] && rng_chance (rng, 0.4))
    return &reason_asthma;
  if (p->has[COND_DIABETES] && rng_chance (rng, 0.15))
    return &reason_hyperglycemia;
  if (p->has[COND_AFIB] && rng_chance (rng, 0.3))
    return &reason_afib;
  return NULL;
}

/* @stay is copied: adding a visit may move the array it lives in. */
static void
schedule_follow_up (Gen       *gen,
                    Patient   *p,
                    Encounter  stay)
{
  Rng *rng = &p->rng;
  double r = rng_double (rng);
  gboolean frail = p->age >= 80 && p->burden >= 3;
  Day discharge = stay.end_day;
  Encounter *e;
  Day day;

  /* Most get the 7-day follow-up visit; some are seen late, some not at all. */
  if (r < 0.6)
    day = discharge + rng_range (rng, 3, 7);
  else if (r < 0.75)
    day = discharge + rng_range (rng, 10, 30);
  else
    return;
  if (day > gen->today + 30)
    return;

  e = add_clinic_visit (gen, p, VISIT_FOLLOW_UP, frail && rng_chance (rng, 0.4) ? "HH" : "AMB",
                        day, p->pcp);
  e->reason_display = stay.reason_display;
  e->reason_code = stay.reason_code;
}

static void
schedule_hospital_visits (Gen     *gen,
                          Patient *p,
                          Day      first,
                          Day      last)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;
  double ed_rate = 0.06 + (p->age < 5 ? 0.1 : 0) + (p->age >= 75 ? 0.05 : 0) +
                   0.2 * has[COND_HEART_FAILURE] + 0.2 * has[COND_COPD] + 0.1 * has[COND_ASTHMA] +
                   0.05 * has[COND_DIABETES] + 0.05 * has[COND_DEPRESSION];
  double stay_rate = (p->age >= 75 ? 0.045 : p->age >= 50 ? 0.015 : p->age >= 18 ? 0.006 : 0.003) +
                     0.28 * has[COND_HEART_FAILURE] + 0.15 * has[COND_COPD] + 0.04 * has[COND_CKD] +
                     0.02 * has[COND_DIABETES];
  guint hospitalist = pick_staff (rng, ORG_HOSPITAL, PHYSICIAN);
  Day days[64];
  Day busy_until = NO_DAY;
  guint n;

  n = draw_days (p, first, last, ed_rate, days, G_N_ELEMENTS (days));
  for (guint i = 0; i < n; i++)
    {
      Time start = local_time (days[i], rng_range (rng, 0, 1439));
      Encounter *e = add_encounter (p, VISIT_EMERGENCY, "EMER", days[i], start,
                                    pick_staff (rng, ORG_HOSPITAL, PHYSICIAN), ORG_HOSPITAL);
      const Reason *reason = exacerbation_reason (p);

      e->end = start + 60 * rng_range (rng, 90, 480);
      set_reason (e, reason ? reason : &RNG_PICK (rng, emergency_reasons));
    }

  n = draw_days (p, first, last, stay_rate, days, G_N_ELEMENTS (days));
  for (guint i = 0; i < n; i++)
    {
      Day admit = days[i];
      const Reason *reason;
      gboolean from_ed;
      int stay_days;
      Day discharge;
      Time start;
      Encounter *e;

      if (admit <= busy_until)
        continue;

      if (has[COND_HEART_FAILURE] && rng_chance (rng, 0.6))
        reason = &reason_heart_failure;
      else if (has[COND_COPD] && rng_chance (rng, 0.5))
        reason = &reason_copd;
      else
        reason = &RNG_PICK (rng, inpatient_reasons);
      stay_days = rng_range (rng, 2, reason == &reason_heart_failure ? 7 : 6);
      discharge = admit + stay_days;
      busy_until = discharge;
      from_ed = rng_chance (rng, 0.85);

      start = local_time (admit, from_ed ? rng_range (rng, 0, 1439) : rng_range (rng, 600, 960));
      e = add_encounter (p, VISIT_INPATIENT, "IMP", admit, start, hospitalist, ORG_HOSPITAL);
      set_reason (e, reason);
      e->admit_source = from_ed ? "emd" : "gp";

      if (discharge >= gen->today)
        {
          /* Still in hospital today. */
          e->status = "in-progress";
          continue;
        }

      e->end = local_time (discharge, rng_range (rng, 600, 900));
      e->end_day = discharge;
      e->discharge = p->age >= 75 && rng_chance (rng, 0.3) ? "snf" : "home";
      if (discharge >= gen->today - 365 && discharge > p->last_discharge)
        {
          p->last_discharge = discharge;
          p->last_discharge_reason = reason->display;
          p->last_discharge_to = e->discharge;
          p->last_stay_days = stay_days;
        }
      schedule_follow_up (gen, p, *e);
    }
}

static int
compare_encounters (gconstpointer a,
                    gconstpointer b)
{
  const Encounter *x = a;
  const Encounter *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
}

static void
schedule_encounters (Gen     *gen,
                     Patient *p)
{
  Rng *rng = &p->rng;
  Day first = p->first_day;
  Day last = gen->today - 1;

  p->last_discharge = NO_DAY;
  if (first > last)
    return;

  if (p->age < 18)
    schedule_child_visits (gen, p, first, last);
  else
    schedule_adult_visits (gen, p, first, last);
  schedule_hospital_visits (gen, p, first, last);

  /* Upcoming appointments. */
  if (p->age >= 18 && p->n_conditions > 0 && rng_chance (rng, 0.45))
    {
      Encounter *e = add_clinic_visit (gen, p, VISIT_CHRONIC, "AMB",
                                       gen->today + rng_range (rng, 1, 60), p->pcp);
      Condition c = random_condition (p);

      e->reason_display = condition_defs[c].display;
      e->reason_code = condition_defs[c].code;
    }
  else if (p->age < 18 && rng_chance (rng, 0.2))
    add_clinic_visit (gen, p, VISIT_WELL_CHILD, "AMB", gen->today + rng_range (rng, 1, 60), p->pcp);

  g_array_sort (p->encounters, compare_encounters);
}

/* Observations -------------------------------------------------------------- */

static void
write_observation (Gen             *gen,
                   Patient         *p,
                   const Encounter *e,
                   Obs              kind,
                   double           value,
                   guint            performer)
{
  Uuid id;

  value = round_to (value, obs_defs[kind].decimals);
  rng_uuid (&p->rng, &id);

  set (gen, "patient_id", p->id.str);
  set (gen, "encounter_id", e->id.str);
  set (gen, "category", obs_defs[kind].category);
  set (gen, "loinc", obs_defs[kind].loinc);
  set (gen, "display", obs_defs[kind].display);
  set_number (gen, "value_num", value, obs_defs[kind].decimals);
  set (gen, "unit", obs_defs[kind].unit);
  set (gen, "status", "final");
  set_time (gen, "effective_at", e->start);
  set_staff (gen, "performer_id", performer);
  put (gen, "observations", &id);

  /* Encounters come in time order, so the last one written is the latest. */
  p->previous[kind] = p->last[kind];
  p->last[kind] = value;
  p->last_day[kind] = e->day;
  p->n_seen[kind]++;
}

static gboolean
due (const Patient *p,
     Obs            kind,
     Day            day,
     int            interval)
{
  return p->n_seen[kind] == 0 || day - p->last_day[kind] >= interval;
}

static double
child_weight (const Patient *p,
              double         age)
{
  guint i = 1;
  double f, median;

  while (i < G_N_ELEMENTS (child_weight_ages) - 1 && child_weight_ages[i] < age)
    i++;

  f = (age - child_weight_ages[i - 1]) / (child_weight_ages[i] - child_weight_ages[i - 1]);
  median = child_weight_kg[i - 1] + (child_weight_kg[i] - child_weight_kg[i - 1]) * CLAMP (f, 0, 1);

  return median * p->child_size * (!p->female && age >= 13 ? 1.05 : 1.0);
}

static void
write_vitals (Gen             *gen,
              Patient         *p,
              const Encounter *e,
              guint            nurse,
              double           age,
              double           years_ago,
              gboolean         weigh)
{
  Rng *rng = &p->rng;

  if (age >= 18)
    {
      double systolic = trend_at (&p->systolic, rng, years_ago);
      double diastolic = clamp_double (0.45 * systolic + 20 - 0.1 * MAX (0, age - 50) +
                                       4 * rng_normal (rng), 45, 120);

      write_observation (gen, p, e, OBS_SYSTOLIC, systolic, nurse);
      write_observation (gen, p, e, OBS_DIASTOLIC, diastolic, nurse);
    }
  else if (age >= 3 && e->kind == VISIT_WELL_CHILD)
    {
      double systolic = 92 + 1.6 * age + 7 * rng_normal (rng);

      write_observation (gen, p, e, OBS_SYSTOLIC, systolic, nurse);
      write_observation (gen, p, e, OBS_DIASTOLIC, 52 + 1.1 * age + 5 * rng_normal (rng), nurse);
    }

  if (!weigh)
    return;

  if (age < 18)
    {
      double weight = child_weight (p, age) * (1 + 0.02 * rng_normal (rng));

      write_observation (gen, p, e, OBS_WEIGHT, weight, nurse);
    }
  else
    {
      double bmi = trend_at (&p->bmi, rng, years_ago);
      double weight = round_to (bmi * p->height * p->height, 1);

      write_observation (gen, p, e, OBS_WEIGHT, weight, nurse);
      write_observation (gen, p, e, OBS_BMI, weight / (p->height * p->height), nurse);
    }
}

static void
write_labs (Gen             *gen,
            Patient         *p,
            const Encounter *e,
            double           age,
            double           years_ago)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;
  Day day = e->day;
  gboolean inpatient = e->kind == VISIT_INPATIENT;
  gboolean a1c, egfr, ldl;

  if (age < 18)
    return;

  /* Diabetics every three months or so; some obese adults are screened yearly. */
  if (has[COND_DIABETES] && day >= p->onset[COND_DIABETES])
    a1c = due (p, OBS_A1C, day, 80);
  else
    a1c = has[COND_OBESITY] && due (p, OBS_A1C, day, 330) && rng_chance (rng, 0.4);

  /* Kidney function: on admission, twice a year when at risk, yearly for some hypertensives. */
  if (inpatient)
    egfr = TRUE;
  else if (has[COND_CKD] || has[COND_DIABETES] || has[COND_HEART_FAILURE])
    egfr = due (p, OBS_EGFR, day, 150);
  else
    egfr = has[COND_HYPERTENSION] && due (p, OBS_EGFR, day, 330) && rng_chance (rng, 0.5);

  ldl = !inpatient && due (p, OBS_LDL, day, 330) &&
        (has[COND_HYPERLIPIDEMIA] || has[COND_DIABETES] || (age >= 40 && rng_chance (rng, 0.15)));

  if (a1c)
    write_observation (gen, p, e, OBS_A1C, trend_at (&p->a1c, rng, years_ago), NO_STAFF);
  if (egfr)
    write_observation (gen, p, e, OBS_EGFR, trend_at (&p->egfr, rng, years_ago), NO_STAFF);
  if (ldl)
    write_observation (gen, p, e, OBS_LDL, trend_at (&p->ldl, rng, years_ago), NO_STAFF);
}

static void
write_encounter_observations (Gen             *gen,
                              Patient         *p,
                              const Encounter *e)
{
  Rng *rng = &p->rng;
  double age = years_between (p->birth, e->day);
  double years_ago = years_between (e->day, gen->today);
  gboolean hospital = e->org == ORG_HOSPITAL;
  guint nurse = hospital ? pick_staff (rng, ORG_HOSPITAL, NURSE)
                         : e->kind == VISIT_HOME ? e->practitioner : p->nurse;
  gboolean in_person = !g_str_equal (e->klass, "VR");
  gboolean mood = p->has[COND_DEPRESSION] || p->has[COND_ANXIETY];

  if (!g_str_equal (e->status, "finished") && !g_str_equal (e->status, "in-progress"))
    return;

  if (e->kind == VISIT_BEHAVIORAL)
    {
      write_observation (gen, p, e, OBS_PHQ9, trend_at (&p->phq9, rng, years_ago), e->practitioner);
      return;
    }

  if (in_person || rng_chance (rng, 0.25))
    {
      gboolean weigh = in_person && e->kind != VISIT_EMERGENCY &&
                       (age < 18 || p->has[COND_HEART_FAILURE] || rng_chance (rng, 0.45));

      write_vitals (gen, p, e, nurse, age, years_ago, weigh);
    }

  if (e->kind != VISIT_EMERGENCY && e->kind != VISIT_HOME && in_person)
    write_labs (gen, p, e, age, years_ago);

  if (age >= 12 && !hospital && e->kind != VISIT_HOME &&
      ((mood && due (p, OBS_PHQ9, e->day, 90)) ||
       (p->screens_phq9 && due (p, OBS_PHQ9, e->day, 330) &&
        (e->kind == VISIT_WELLNESS || e->kind == VISIT_WELL_CHILD || e->kind == VISIT_OFFICE ||
         e->kind == VISIT_CHRONIC))))
    write_observation (gen, p, e, OBS_PHQ9, trend_at (&p->phq9, rng, years_ago), e->practitioner);
}

static void
write_encounters (Gen     *gen,
                  Patient *p)
{
  for (guint i = 0; i < p->encounters->len; i++)
    {
      Encounter *e = &g_array_index (p->encounters, Encounter, i);

      rng_uuid (&p->rng, &e->id);
      set (gen, "patient_id", p->id.str);
      set (gen, "class", e->klass);
      set (gen, "type", visit_types[e->kind]);
      set (gen, "status", e->status);
      set_time (gen, "start_at", e->start);
      if (e->end != 0)
        set_time (gen, "end_at", e->end);
      set (gen, "organization_id", gen->org_ids[e->org].str);
      set_staff (gen, "practitioner_id", e->practitioner);
      set (gen, "reason", e->reason_display);
      set (gen, "reason_code", e->reason_code);
      set (gen, "admit_source", e->admit_source);
      set (gen, "discharge_disposition", e->discharge);
      put (gen, "encounters", &e->id);

      write_encounter_observations (gen, p, e);
    }
}

/* Medications --------------------------------------------------------------- */

static void
write_dispense (Gen        *gen,
                Patient    *p,
                const Uuid *order,
                Med         med,
                Day         day,
                double      quantity,
                int         days_supply)
{
  Uuid id;

  rng_uuid (&p->rng, &id);
  set (gen, "patient_id", p->id.str);
  set (gen, "order_id", order->str);
  set (gen, "drug", med_defs[med].drug);
  set (gen, "rxnorm", med_defs[med].rxnorm);
  set (gen, "status", "completed");
  set (gen, "pharmacy_id", gen->org_ids[ORG_PHARMACY].str);
  set_staff (gen, "pharmacist_id", pick_staff (&p->rng, ORG_PHARMACY, PHARMACIST));
  set_number (gen, "quantity", quantity, 0);
  set_int (gen, "days_supply", days_supply);
  set_time (gen, "handed_over_at", local_time (day, rng_range (&p->rng, 570, 1110)));
  put (gen, "medication_dispenses", &id);
}

/* The last few fills of an order in force from @from to @until, oldest first. */
static void
write_dispenses (Gen        *gen,
                 Patient    *p,
                 const Uuid *order,
                 Med         med,
                 Day         from,
                 Day         until,
                 double      quantity,
                 int         days_supply)
{
  Rng *rng = &p->rng;
  Day fills[3];
  guint n = 0;
  Day day;

  if (!p->uses_pharmacy)
    return;

  if (med_defs[med].course)
    {
      day = day_min (from + rng_range (rng, 0, 1), gen->today - 1);
      write_dispense (gen, p, order, med, day, quantity, days_supply);
      return;
    }

  /* Adherent patients refill on time; others let gaps open. */
  if (rng_chance (rng, p->adherence))
    day = until - rng_range (rng, 0, days_supply - 1);
  else
    day = until - days_supply - rng_range (rng, 15, 120);

  while (n < G_N_ELEMENTS (fills) && day >= from)
    {
      fills[n++] = day;
      day -= days_supply + rng_range (rng, -4, 8);
    }
  /* Even those who stopped refilling mostly picked up the first fill. */
  if (n == 0 && from <= until && rng_chance (rng, 0.85))
    fills[n++] = day_min (from + rng_range (rng, 0, 7), until);
  while (n-- > 0)
    write_dispense (gen, p, order, med, fills[n], quantity, days_supply);
}

static void
write_order (Gen        *gen,
             Patient    *p,
             Med         med,
             const Uuid *reason,
             guint       prescriber,
             Day         start,
             Day         authored,
             Day         end)
{
  Rng *rng = &p->rng;
  gboolean course = med_defs[med].course;
  int days_supply = med_defs[med].per_day > 0 ? (rng_chance (rng, 0.55) ? 90 : 30)
                                              : med_defs[med].pack_days;
  double quantity = med_defs[med].per_day > 0 ? med_defs[med].per_day * days_supply
                                              : med_defs[med].pack_quantity;
  const char *status = course ? "completed" : end == NO_DAY ? "active" : "stopped";
  int refills;
  Uuid id;

  authored = MIN (authored, gen->today - 1);
  rng_uuid (rng, &id);
  refills = course ? 0 : rng_range (rng, 0, days_supply == 90 ? 3 : 11);

  set (gen, "patient_id", p->id.str);
  set (gen, "drug", med_defs[med].drug);
  set (gen, "rxnorm", med_defs[med].rxnorm);
  set (gen, "dose", med_defs[med].dose);
  set (gen, "route", med_defs[med].route);
  set (gen, "frequency", med_defs[med].frequency);
  set_number (gen, "quantity", quantity, 0);
  set_int (gen, "refills", refills);
  set (gen, "status", status);
  set (gen, "intent", "order");
  set_staff (gen, "prescriber_id", prescriber);
  if (reason != NULL)
    set (gen, "reason_condition_id", reason->str);
  set_date (gen, "authored_on", authored);
  set_date (gen, "start_date", start);
  if (end != NO_DAY)
    set_date (gen, "end_date", end);
  put (gen, "medication_orders", &id);

  if (g_str_equal (status, "active"))
    {
      p->on[med] = TRUE;
      p->n_active_meds++;
    }
  write_dispenses (gen, p, &id, med, authored, end == NO_DAY ? gen->today - 1 : end, quantity,
                   days_supply);
}

/* A maintenance medication for @condition, renewed within the last year. Now and
 * then one has been stopped. */
static void
prescribe (Gen       *gen,
           Patient   *p,
           Med        med,
           Condition  condition)
{
  Rng *rng = &p->rng;
  Day start, authored, end = NO_DAY;

  if (p->on[med])
    return;

  start = day_min (p->onset[condition] + rng_range (rng, 0, 120), gen->today - 2);
  start = MAX (start, p->birth);

  if (med == MED_LISINOPRIL && p->lisinopril_stopped != NO_DAY)
    {
      /* The cough: lisinopril stopped, losartan instead. */
      start = MIN (start, p->lisinopril_stopped - 30);
      write_order (gen, p, MED_LISINOPRIL, &p->condition_ids[condition], p->pcp, start,
                   MAX (start, p->since), p->lisinopril_stopped);
      p->on[MED_LISINOPRIL] = TRUE;
      med = MED_LOSARTAN;
      start = p->lisinopril_stopped;
    }

  authored = day_max (start, gen->today - rng_range (rng, 1, 330));
  authored = MAX (authored, p->since);
  if (rng_chance (rng, 0.06))
    end = day_min (authored + rng_range (rng, 20, 300), gen->today - 1);

  write_order (gen, p, med, &p->condition_ids[condition], p->pcp, start, authored, end);
}

static void
prescribe_courses (Gen     *gen,
                   Patient *p)
{
  for (guint i = 0; i < p->encounters->len; i++)
    {
      const Encounter *e = &g_array_index (p->encounters, Encounter, i);
      Med courses[2];

      if (e->reason == NULL || !g_str_equal (e->status, "finished"))
        continue;

      /* Written at the end of the visit: for a hospital stay, at discharge. */
      courses[0] = e->reason->course;
      courses[1] = e->reason->course2;
      for (guint j = 0; j < G_N_ELEMENTS (courses); j++)
        {
          Med med = courses[j];

          if (med == N_MEDS)
            continue;
          if ((med == MED_AMOXICILLIN || med == MED_CEPHALEXIN) && allergic_to_penicillins (p))
            med = MED_AZITHROMYCIN;
          write_order (gen, p, med, NULL, e->practitioner, e->end_day, e->end_day, NO_DAY);
        }
    }
}

static void
write_medications (Gen     *gen,
                   Patient *p)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;

  if (has[COND_HYPERTENSION] && rng_chance (rng, 0.92))
    {
      double r = rng_double (rng);
      Med first = r < 0.55 || p->lisinopril_stopped != NO_DAY ? MED_LISINOPRIL
                  : r < 0.8 ? MED_AMLODIPINE : MED_HCTZ;

      prescribe (gen, p, first, COND_HYPERTENSION);
      if (p->systolic.now > 140 || rng_chance (rng, 0.3))
        prescribe (gen, p, first == MED_AMLODIPINE ? MED_HCTZ : MED_AMLODIPINE, COND_HYPERTENSION);
    }

  if (has[COND_DIABETES])
    {
      if (p->egfr.now >= 30)
        prescribe (gen, p, MED_METFORMIN, COND_DIABETES);
      if (p->a1c.now > 9 ? rng_chance (rng, 0.5) : p->a1c.now > 8 && rng_chance (rng, 0.2))
        prescribe (gen, p, MED_INSULIN_GLARGINE, COND_DIABETES);
    }

  if (p->treated_lipids || (has[COND_DIABETES] && p->age >= 40 && rng_chance (rng, 0.7)))
    prescribe (gen, p, rng_chance (rng, 0.8) ? MED_ATORVASTATIN : MED_SIMVASTATIN,
               has[COND_HYPERLIPIDEMIA] ? COND_HYPERLIPIDEMIA : COND_DIABETES);

  if (has[COND_DEPRESSION])
    {
      double r = rng_double (rng);

      if (r < 0.5)
        prescribe (gen, p, MED_SERTRALINE, COND_DEPRESSION);
      else if (r < 0.7)
        prescribe (gen, p, MED_FLUOXETINE, COND_DEPRESSION);
    }
  if (has[COND_ANXIETY] && !p->on[MED_SERTRALINE] && !p->on[MED_FLUOXETINE] &&
      rng_chance (rng, 0.45))
    prescribe (gen, p, MED_ESCITALOPRAM, COND_ANXIETY);

  if (has[COND_ASTHMA])
    {
      prescribe (gen, p, MED_ALBUTEROL, COND_ASTHMA);
      if (rng_chance (rng, 0.5))
        prescribe (gen, p, MED_FLUTICASONE, COND_ASTHMA);
    }
  if (has[COND_COPD])
    {
      prescribe (gen, p, MED_ALBUTEROL, COND_COPD);
      if (rng_chance (rng, 0.7))
        prescribe (gen, p, MED_TIOTROPIUM, COND_COPD);
    }

  if (has[COND_HEART_FAILURE])
    {
      if (rng_chance (rng, 0.85))
        prescribe (gen, p, MED_FUROSEMIDE, COND_HEART_FAILURE);
      if (rng_chance (rng, 0.7))
        prescribe (gen, p, MED_CARVEDILOL, COND_HEART_FAILURE);
      if (!p->on[MED_LISINOPRIL] && !p->on[MED_LOSARTAN] && rng_chance (rng, 0.7))
        prescribe (gen, p, MED_LISINOPRIL, COND_HEART_FAILURE);
      if (rng_chance (rng, 0.3))
        prescribe (gen, p, MED_SPIRONOLACTONE, COND_HEART_FAILURE);
    }

  if (has[COND_AFIB])
    {
      double r = rng_double (rng);

      if (r < 0.7)
        prescribe (gen, p, MED_APIXABAN, COND_AFIB);
      else if (r < 0.85)
        prescribe (gen, p, MED_WARFARIN, COND_AFIB);
      if (!p->on[MED_CARVEDILOL] && rng_chance (rng, 0.6))
        prescribe (gen, p, MED_METOPROLOL, COND_AFIB);
      if (rng_chance (rng, 0.08))
        prescribe (gen, p, MED_AMIODARONE, COND_AFIB);
    }

  if (has[COND_OSTEOARTHRITIS])
    {
      if (rng_chance (rng, 0.6))
        prescribe (gen, p, MED_ACETAMINOPHEN, COND_OSTEOARTHRITIS);
      /* No NSAIDs with kidney disease, heart failure, anticoagulants or an NSAID allergy. */
      gboolean nsaid_ok = !has[COND_CKD] && !has[COND_HEART_FAILURE] && !p->on[MED_APIXABAN] &&
                          !p->on[MED_WARFARIN] && !p->allergic[ALLERGY_IBUPROFEN] &&
                          !p->allergic[ALLERGY_ASPIRIN];

      if (nsaid_ok && rng_chance (rng, 0.2))
        prescribe (gen, p, MED_IBUPROFEN, COND_OSTEOARTHRITIS);
    }

  prescribe_courses (gen, p);
}

/* Immunizations -------------------------------------------------------------- */

static Day
vaccine_available (Vaccine vaccine)
{
  return days_from_civil (vaccine_defs[vaccine].from_year, vaccine_defs[vaccine].from_month, 1);
}

static void
write_immunization (Gen        *gen,
                    Patient    *p,
                    Vaccine     vaccine,
                    Day         day,
                    int         dose,
                    guint       performer,
                    const char *status_reason)
{
  Rng *rng = &p->rng;
  static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
  char lot[16];
  Uuid id;

  if (day >= gen->today || day < p->birth || day < vaccine_available (vaccine))
    return;

  rng_uuid (rng, &id);
  set (gen, "patient_id", p->id.str);
  set (gen, "cvx", vaccine_defs[vaccine].cvx);
  set (gen, "vaccine", vaccine_defs[vaccine].name);
  set (gen, "status", status_reason ? "not-done" : "completed");
  set (gen, "status_reason", status_reason);
  set_date (gen, "occurrence_date", day);
  if (status_reason == NULL)
    {
      char first = letters[rng_below (rng, sizeof letters - 1)];
      char second = letters[rng_below (rng, sizeof letters - 1)];

      g_snprintf (lot, sizeof lot, "%c%c%04d", first, second, rng_range (rng, 0, 9999));
      set (gen, "lot_number", lot);
    }
  if (dose > 0)
    set_int (gen, "dose_number", dose);
  set_staff (gen, "performer_id", performer);
  put (gen, "immunizations", &id);
}

/* Adults often get their shots at the pharmacy. */
static guint
vaccinator (Patient *p,
            double   pharmacy_share)
{
  if (p->uses_pharmacy && rng_chance (&p->rng, pharmacy_share))
    return pick_staff (&p->rng, ORG_PHARMACY, PHARMACIST);
  return p->nurse;
}

static void
write_child_immunizations (Gen     *gen,
                           Patient *p)
{
  Rng *rng = &p->rng;
  double r = rng_double (rng);
  double per_dose = r < 0.07 ? 0 : r < 0.2 ? 0.6 : 0.96;   /* exempt, behind, on schedule */
  int max_delay = r < 0.2 ? 150 : 25;

  for (guint i = 0; i < G_N_ELEMENTS (child_schedule); i++)
    if (rng_chance (rng, per_dose))
      write_immunization (gen, p, child_schedule[i].vaccine,
                          p->birth + child_schedule[i].age_days + rng_range (rng, 0, max_delay),
                          child_schedule[i].dose, p->nurse, NULL);
}

static void
write_immunizations (Gen     *gen,
                     Patient *p)
{
  Rng *rng = &p->rng;
  int age = p->age;
  double flu = age < 18 ? 0.4 : age < 50 ? 0.3 : age < 65 ? 0.5 : 0.7;
  gboolean flu_habit = rng_chance (rng, (flu - 0.1) / 0.75);
  int this_year = day_year (gen->today);

  if (age < 19)
    write_child_immunizations (gen, p);

  /* Influenza, each of the last few seasons. */
  for (int year = this_year - 3; year <= this_year; year++)
    {
      Day day = days_from_civil (year, 9, 10) + rng_range (rng, 0, 100);
      int age_then = age_on (p->birth, day);
      Vaccine vaccine = age_then >= 65 ? VAX_FLU_HIGH_DOSE : VAX_FLU;

      if (day - p->birth < 183 || day < p->since - 365)
        continue;
      if (day < vaccine_available (vaccine))
        vaccine = day < vaccine_available (VAX_FLU) ? VAX_FLU_TRIVALENT : VAX_FLU;

      if (rng_chance (rng, flu_habit ? 0.85 : 0.1))
        write_immunization (gen, p, vaccine, day, 0, vaccinator (p, age_then >= 18 ? 0.4 : 0),
                            NULL);
      else if (age_then >= 65 && rng_chance (rng, 0.1))
        write_immunization (gen, p, vaccine, day, 0, p->nurse, "PATOBJ");
    }

  if (age >= 19 && rng_chance (rng, 0.55))
    {
      Day day = day_max (gen->today - rng_range (rng, 30, 3650), add_years (p->birth, 19));

      write_immunization (gen, p, VAX_TDAP, day, 0, vaccinator (p, 0.2), NULL);
    }

  if (age >= 65 && rng_chance (rng, 0.65))
    {
      Day day = add_years (p->birth, 65) + rng_range (rng, 0, 720);

      if (day >= vaccine_available (VAX_PCV20))
        write_immunization (gen, p, VAX_PCV20, day, 1, vaccinator (p, 0.3), NULL);
      else
        {
          guint who = vaccinator (p, 0.3);

          write_immunization (gen, p, VAX_PCV13, day, 1, who, NULL);
          write_immunization (gen, p, VAX_PPSV23, day + 365 + rng_range (rng, 0, 120), 1, who,
                              NULL);
        }
    }

  if (age >= 50 && rng_chance (rng, 0.35))
    {
      Day from = MAX (add_years (p->birth, 50), vaccine_available (VAX_ZOSTER));

      if (from < gen->today - 1)
        {
          Day day = from + rng_range (rng, 0, gen->today - 1 - from);
          guint who = vaccinator (p, 0.6);

          write_immunization (gen, p, VAX_ZOSTER, day, 1, who, NULL);
          write_immunization (gen, p, VAX_ZOSTER, day + rng_range (rng, 60, 180), 2, who, NULL);
        }
    }

  /* COVID-19 in 2021: two doses and often a booster. The product is the one for
   * ages 12 and up, so younger children (in 2021) are left out. */
  if (age >= 18 && rng_chance (rng, age < 50 ? 0.45 : age < 65 ? 0.6 : 0.75))
    {
      Day day = days_from_civil (2021, 1, 20) + rng_range (rng, 0, age >= 65 ? 60 : 160);
      Day booster = days_from_civil (2021, 10, 1) + rng_range (rng, 0, 150);
      gboolean boosted = rng_chance (rng, 0.65);
      guint who = vaccinator (p, 0.5);

      if (age_on (p->birth, day) < 12)
        return;
      write_immunization (gen, p, VAX_COVID, day, 1, who, NULL);
      write_immunization (gen, p, VAX_COVID, day + 21, 2, who, NULL);
      if (boosted)
        write_immunization (gen, p, VAX_COVID, booster, 3, who, NULL);
    }
}

/* Care team, plans, tasks, referrals and notes ---------------------------------- */

static void
write_team_member (Gen        *gen,
                   Patient    *p,
                   guint       practitioner,
                   const char *role,
                   const char *status,
                   Day         start,
                   Day         end)
{
  Uuid id;

  if (practitioner == NO_STAFF)
    return;

  rng_uuid (&p->rng, &id);
  set (gen, "patient_id", p->id.str);
  set_staff (gen, "practitioner_id", practitioner);
  set (gen, "role", role);
  set (gen, "status", status);
  set_date (gen, "start_date", MIN (start, gen->today));
  if (end != NO_DAY)
    set_date (gen, "end_date", end);
  put (gen, "care_team_members", &id);
}

static gboolean
is_high_risk (const Patient *p)
{
  const gboolean *has = p->has;
  gboolean key = has[COND_DIABETES] || has[COND_HEART_FAILURE] || has[COND_COPD];

  return (p->n_conditions >= 2 && key) || p->last_discharge != NO_DAY;
}

static void
write_care_team (Gen     *gen,
                 Patient *p,
                 Day      plan_start)
{
  Rng *rng = &p->rng;
  Day since = p->since;

  /* Some changed provider along the way. */
  if (since < gen->today - 2 * 365 && rng_chance (rng, 0.05))
    {
      guint previous = pick_clinician (rng, p->clinic);

      if (previous != p->pcp)
        {
          Day changed = since + rng_range (rng, 30, gen->today - 30 - since);

          write_team_member (gen, p, previous, "primary care provider", "inactive", since, changed);
          since = changed;
        }
    }

  write_team_member (gen, p, p->pcp, "primary care provider", "active", since, NO_DAY);
  if (p->n_conditions > 0 || p->age < 6 || rng_chance (rng, 0.4))
    write_team_member (gen, p, p->nurse, "nurse", "active", since, NO_DAY);

  if (p->sees_behavioral_health)
    {
      Condition why = p->has[COND_DEPRESSION] ? COND_DEPRESSION : COND_ANXIETY;

      write_team_member (gen, p, p->therapist, "behavioral health clinician", "active",
                         day_max (p->first_day, p->onset[why]), NO_DAY);
    }

  if (plan_start == NO_DAY)
    return;

  write_team_member (gen, p, p->coordinator, "care coordinator", "active", plan_start, NO_DAY);
  if (p->n_active_meds >= 5 || rng_chance (rng, 0.2))
    write_team_member (gen, p, p->pharmacist, "clinical pharmacist", "active", plan_start, NO_DAY);
  if (p->last_discharge != NO_DAY || (p->age >= 75 && rng_chance (rng, 0.4)) ||
      rng_chance (rng, 0.15))
    write_team_member (gen, p, p->social_worker, "social worker", "active", plan_start, NO_DAY);
}

static const char *
achievement_status (const Patient *p,
                    Obs            kind,
                    double         low,
                    double         high)
{
  double now, before, distance_now, distance_before;

  if (p->n_seen[kind] == 0)
    return "in-progress";

  now = p->last[kind];
  distance_now = now < low ? low - now : now > high ? now - high : 0;
  if (p->n_seen[kind] == 1)
    return distance_now == 0 ? "achieved" : "in-progress";

  before = p->previous[kind];
  distance_before = before < low ? low - before : before > high ? before - high : 0;
  if (distance_now == 0)
    return distance_before == 0 ? "sustaining" : "achieved";
  if (distance_now < distance_before)
    return "improving";
  if (distance_now > distance_before)
    return "worsening";
  return "no-change";
}

static void
write_goal (Gen        *gen,
            Patient    *p,
            const Uuid *plan,
            const char *description,
            Obs         measure,     /* N_OBS: none */
            double      low,         /* < 0: no lower bound */
            double      high,        /* < 0: no upper bound */
            Day         start,
            const char *expressed_by)
{
  Uuid id;

  rng_uuid (&p->rng, &id);
  set (gen, "patient_id", p->id.str);
  set (gen, "care_plan_id", plan->str);
  set (gen, "description", description);
  if (measure != N_OBS)
    {
      set (gen, "measure_loinc", obs_defs[measure].loinc);
      if (low >= 0)
        set_number (gen, "target_low", low, obs_defs[measure].decimals);
      if (high >= 0)
        set_number (gen, "target_high", high, obs_defs[measure].decimals);
      set (gen, "target_unit", obs_defs[measure].unit);
      set (gen, "achievement_status",
           achievement_status (p, measure, low >= 0 ? low : -G_MAXDOUBLE,
                               high >= 0 ? high : G_MAXDOUBLE));
    }
  else
    set (gen, "achievement_status", "in-progress");
  set_date (gen, "due_date", start + rng_range (&p->rng, 90, 365));
  set (gen, "lifecycle_status", "active");
  set (gen, "expressed_by", expressed_by);
  put (gen, "goals", &id);
}

/* Clinical goals: what the goal is, and the observation that measures it. */
static const struct
{
  Condition   condition;
  const char *description;
  Obs         measure;      /* N_OBS: not measured */
  double      low;          /* < 0: no lower bound */
  double      high;         /* < 0: no upper bound */
} goal_defs[] = {
  { COND_DIABETES, "HbA1c below 8%", OBS_A1C, -1, 8 },
  { COND_HYPERTENSION, "Systolic blood pressure below 140 mm Hg", OBS_SYSTOLIC, -1, 140 },
  { COND_DEPRESSION, "PHQ-9 score below 10", OBS_PHQ9, -1, 10 },
  { COND_CKD, "Keep eGFR at or above 30", OBS_EGFR, 30, -1 },
  { COND_HYPERLIPIDEMIA, "LDL cholesterol below 100 mg/dL", OBS_LDL, -1, 100 },
  { COND_COPD, "No emergency visits for breathing problems for 6 months", N_OBS, -1, -1 },
};

static void
write_goals (Gen        *gen,
             Patient    *p,
             const Uuid *plan,
             Day         start,
             guint       author)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;
  const char *clinician = gen->staff_ids[author].str;
  const char *personal = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (goal_defs); i++)
    {
      if (!has[goal_defs[i].condition])
        continue;
      if (goal_defs[i].condition == COND_HYPERLIPIDEMIA && !rng_chance (rng, 0.5))
        continue;
      write_goal (gen, p, plan, goal_defs[i].description, goal_defs[i].measure, goal_defs[i].low,
                  goal_defs[i].high, start, clinician);
    }

  /* Heart failure: stay near the dry weight, the patient's own target. */
  if (has[COND_HEART_FAILURE])
    {
      double dry = round_to (p->bmi.now * p->height * p->height, 0);

      write_goal (gen, p, plan, "Body weight within 2 kg of dry weight", OBS_WEIGHT, dry - 2,
                  dry + 2, start, clinician);
    }

  /* Goals in the patient's own words. */
  if (has[COND_HEART_FAILURE])
    personal = "Weigh myself every morning and write it down";
  else if (has[COND_COPD])
    personal = "Cut down to five cigarettes a day";
  else if (has[COND_HYPERTENSION] && rng_chance (rng, 0.5))
    personal = "Check my blood pressure at home three times a week";
  else if (has[COND_DIABETES] && rng_chance (rng, 0.5))
    personal = "Cut back to one soda a day";
  else
    {
      static const char * const wishes[] = {
        "Walk 20 minutes five days a week",
        "Take my medicines every day using a pill box",
        "Get back to working in the garden",
        "Go fishing with my grandkids this summer",
      };

      personal = RNG_PICK (rng, wishes);
    }
  if (rng_chance (rng, 0.6))
    write_goal (gen, p, plan, personal, N_OBS, -1, -1, start, p->id.str);
}

static void
write_task (Gen        *gen,
            Patient    *p,
            const Uuid *plan,
            const char *description,
            Discipline  discipline,
            const char *priority,
            Day         created,
            int         due_in,
            guint       requester)
{
  Rng *rng = &p->rng;
  Day due_day = created + due_in;
  const char *status;
  Time completed = 0;
  guint assignee;
  Uuid id;

  if (due_day < gen->today - 10)
    {
      /* Most old tasks are done; the rest are overdue. */
      if (rng_chance (rng, 0.72))
        status = "completed";
      else
        status = rng_chance (rng, 0.5) ? "requested" : "in-progress";
    }
  else
    {
      double r = rng_double (rng);

      if (r < 0.15 && created < gen->today - 1)
        status = "completed";
      else
        status = r < 0.45 ? "in-progress" : "requested";
    }
  if (g_str_equal (status, "completed"))
    {
      Day day = day_min (created + rng_range (rng, 0, due_in + 3), gen->today - 1);

      completed = local_time (day, rng_range (rng, 480, 1020));
    }

  switch (discipline)
    {
    case PHYSICIAN:
    case NURSE_PRACTITIONER:
      assignee = p->pcp;
      break;
    case NURSE:
      assignee = p->nurse;
      break;
    case PHARMACIST:
      assignee = p->pharmacist;
      break;
    case BEHAVIORAL_HEALTH:
      assignee = p->therapist;
      break;
    case SOCIAL_WORKER:
      assignee = p->social_worker;
      break;
    case CARE_COORDINATOR:
      assignee = p->coordinator;
      break;
    case FRONT_DESK:
    case N_DISCIPLINES:
    default:
      assignee = pick_staff (rng, p->clinic, FRONT_DESK);
      break;
    }

  /* Some routine work waits in the discipline's queue for someone to pick it up. */
  if (g_str_equal (priority, "routine") && !g_str_equal (status, "completed") &&
      rng_chance (rng, 0.15))
    assignee = NO_STAFF;

  rng_uuid (rng, &id);
  set (gen, "patient_id", p->id.str);
  set (gen, "care_plan_id", plan->str);
  set (gen, "description", description);
  set_staff (gen, "assignee_id", assignee);
  set (gen, "discipline", discipline_names[discipline]);
  set_date (gen, "due_date", due_day);
  set (gen, "status", status);
  set (gen, "priority", priority);
  set_staff (gen, "requester_id", requester);
  if (completed != 0)
    set_time (gen, "completed_at", completed);
  put (gen, "care_tasks", &id);
}

typedef struct
{
  const char *description;
  Discipline  discipline;
  int         due_in;
} Todo;

static void
add_todo (Todo       *todo,
          guint      *n_todo,
          const char *description,
          Discipline  discipline,
          int         due_in)
{
  todo[*n_todo].description = description;
  todo[*n_todo].discipline = discipline;
  todo[*n_todo].due_in = due_in;
  (*n_todo)++;
}

static void
write_tasks (Gen        *gen,
             Patient    *p,
             const Uuid *plan,
             Day         start,
             guint       author)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;
  Todo todo[16];
  guint n_todo = 0;

  /* Transitions of care come first and are urgent. */
  if (p->last_discharge != NO_DAY && p->last_discharge >= gen->today - 60)
    {
      Day day = p->last_discharge;

      write_task (gen, p, plan, "Call patient within 2 business days of discharge",
                  CARE_COORDINATOR, "urgent", day, 2, author);
      write_task (gen, p, plan, "Reconcile medications after hospital discharge", PHARMACIST,
                  "urgent", day, 7, author);
      write_task (gen, p, plan, "Confirm follow-up visit within 7 days of discharge", FRONT_DESK,
                  "routine", day, 5, author);
    }

  if (has[COND_DIABETES] && rng_chance (rng, 0.6))
    add_todo (todo, &n_todo, "Diabetic foot exam", NURSE, 30);
  if (has[COND_DIABETES] && p->a1c.now > 8 && rng_chance (rng, 0.7))
    add_todo (todo, &n_todo, "Schedule diabetes education class", CARE_COORDINATOR, 21);
  if (has[COND_HEART_FAILURE])
    add_todo (todo, &n_todo, "Teach daily weights: call if up 1 kg in a day or 2 kg in a week",
              NURSE, 14);
  if (has[COND_HYPERTENSION] && p->systolic.now >= 140 && rng_chance (rng, 0.6))
    add_todo (todo, &n_todo, "Teach home blood pressure monitoring", NURSE, 21);
  if (has[COND_DEPRESSION] && p->phq9.now >= 10)
    add_todo (todo, &n_todo, "Repeat PHQ-9 within 4 weeks", BEHAVIORAL_HEALTH, 28);
  if (has[COND_CKD] && p->egfr.now < 45 && rng_chance (rng, 0.6))
    add_todo (todo, &n_todo, "Review eGFR trend and adjust medication doses", PHYSICIAN, 30);
  if (p->n_active_meds >= 5 && rng_chance (rng, 0.7))
    add_todo (todo, &n_todo, "Comprehensive medication review", PHARMACIST, 30);
  if (rng_chance (rng, 0.4))
    add_todo (todo, &n_todo, "Screen for food, housing and transportation needs", SOCIAL_WORKER,
              30);
  if (rng_chance (rng, 0.3))
    add_todo (todo, &n_todo, "Review care plan goals with the patient", CARE_COORDINATOR, 30);
  if (rng_chance (rng, 0.3))
    add_todo (todo, &n_todo, "Schedule 3-month follow-up visit", FRONT_DESK, 10);

  for (guint i = 0; i < n_todo && i < 4; i++)
    {
      Day created = day_max (start, gen->today - rng_range (rng, 1, 120));

      write_task (gen, p, plan, todo[i].description, todo[i].discipline, "routine", created,
                  todo[i].due_in, author);
    }
}

typedef enum
{
  REFER_CARDIOLOGY,
  REFER_NEPHROLOGY,
  REFER_BEHAVIORAL_HEALTH,
  REFER_DIABETES_EDUCATION,
  REFER_ENDOCRINOLOGY,
  REFER_PULMONOLOGY,
  REFER_PHYSICAL_THERAPY,
  N_REFERRALS
} Referral;

static const struct
{
  const char *service;
  const char *organization;
} referral_defs[N_REFERRALS] = {
  [REFER_CARDIOLOGY] = { "cardiology", "South Santiam Regional Hospital Cardiology" },
  [REFER_NEPHROLOGY] = { "nephrology", "Calapooia Kidney Specialists" },
  [REFER_BEHAVIORAL_HEALTH] = { "behavioral health", "Cascade Foothills Behavioral Health" },
  [REFER_DIABETES_EDUCATION] = { "diabetes education",
                                 "South Santiam Regional Hospital Diabetes Education" },
  [REFER_ENDOCRINOLOGY] = { "endocrinology", "Cascade Foothills Endocrinology" },
  [REFER_PULMONOLOGY] = { "pulmonology", "South Santiam Regional Hospital Pulmonary Clinic" },
  [REFER_PHYSICAL_THERAPY] = { "physical therapy", "Santiam Motion Physical Therapy" },
};

static void
write_referral (Gen        *gen,
                Patient    *p,
                Referral    referral,
                const char *reason,
                gboolean    urgent)
{
  static const char * const outcomes[] = {
    "Consult note received; recommendations added to the care plan.",
    "Seen by the specialist; follow-up there in 6 months.",
    "Specialist adjusted medications; see consult note.",
    "Completed the program; summary received.",
  };
  Rng *rng = &p->rng;
  Day sent = day_max (p->first_day, gen->today - rng_range (rng, 1, 300));
  int age = gen->today - sent;
  const char *status = "active";
  Day closed = NO_DAY;
  const char *outcome = NULL;
  Uuid id;

  /* The older the referral, the likelier the loop is closed. */
  if (age > 20 && rng_chance (rng, MIN (0.85, age / 90.0)))
    {
      status = "completed";
      closed = sent + rng_range (rng, 10, MIN (age - 1, 80));
      outcome = RNG_PICK (rng, outcomes);
    }
  else if (age > 10 && rng_chance (rng, 0.06))
    {
      status = "revoked";
      closed = sent + rng_range (rng, 3, age - 1);
      outcome = "Patient declined the referral.";
    }

  rng_uuid (rng, &id);
  set (gen, "patient_id", p->id.str);
  set_staff (gen, "requester_id", p->pcp);
  set (gen, "to_service", referral_defs[referral].service);
  set (gen, "to_organization", referral_defs[referral].organization);
  set (gen, "reason", reason);
  set (gen, "urgency", urgent ? "urgent" : "routine");
  set (gen, "status", status);
  set_date (gen, "sent_date", sent);
  set_date (gen, "due_date", sent + (urgent ? 14 : 45));
  if (closed != NO_DAY)
    set_date (gen, "closed_date", closed);
  set (gen, "outcome", outcome);
  put (gen, "referrals", &id);
}

static void
write_referrals (Gen      *gen,
                 Patient  *p,
                 gboolean  high_risk)
{
  Rng *rng = &p->rng;
  const gboolean *has = p->has;
  double more = high_risk ? 1.0 : 0.35;

  if (has[COND_HEART_FAILURE] && rng_chance (rng, 0.5 * more))
    write_referral (gen, p, REFER_CARDIOLOGY, "Heart failure follow-up",
                    p->last_discharge != NO_DAY);
  else if (has[COND_AFIB] && rng_chance (rng, 0.5 * more))
    write_referral (gen, p, REFER_CARDIOLOGY, "Atrial fibrillation management", FALSE);
  if (has[COND_CKD] && p->egfr.now < 45 && rng_chance (rng, 0.7 * more))
    write_referral (gen, p, REFER_NEPHROLOGY, "Declining kidney function", p->egfr.now < 25);
  if (has[COND_DEPRESSION] && p->phq9.now >= 10 && rng_chance (rng, 0.6 * more))
    write_referral (gen, p, REFER_BEHAVIORAL_HEALTH,
                    "Depression not improving on current treatment", p->phq9.now >= 20);
  if (has[COND_DIABETES] && p->a1c.now > 8 && rng_chance (rng, 0.55 * more))
    write_referral (gen, p, REFER_DIABETES_EDUCATION, "HbA1c above goal", FALSE);
  if (has[COND_DIABETES] && p->a1c.now > 10 && rng_chance (rng, 0.3 * more))
    write_referral (gen, p, REFER_ENDOCRINOLOGY, "Poorly controlled type 2 diabetes", FALSE);
  if (has[COND_COPD] && rng_chance (rng, 0.35 * more))
    write_referral (gen, p, REFER_PULMONOLOGY, "Frequent COPD exacerbations", FALSE);
  if (has[COND_OSTEOARTHRITIS] && rng_chance (rng, 0.08))
    write_referral (gen, p, REFER_PHYSICAL_THERAPY, "Knee osteoarthritis", FALSE);
}

static void
write_note (Gen        *gen,
            Patient    *p,
            const Uuid *plan,
            const char *kind,
            guint       author,
            guint       recipient,
            const Uuid *in_reply_to,
            const char *body,
            Time        written,
            Uuid       *out_id)
{
  rng_uuid (&p->rng, out_id);
  set (gen, "patient_id", p->id.str);
  set (gen, "care_plan_id", plan->str);
  set (gen, "kind", kind);
  set_staff (gen, "author_id", author);
  set_staff (gen, "recipient_id", recipient);
  if (in_reply_to != NULL)
    set (gen, "in_reply_to", in_reply_to->str);
  set (gen, "body", body);
  set_time (gen, "written_at", written);
  put (gen, "notes", out_id);
}

/* A message and, often, its answer a few hours later (never after "now"). */
static void
write_thread (Gen        *gen,
              Patient    *p,
              const Uuid *plan,
              const char *kind,
              guint       author,
              guint       recipient,
              Day         day,
              const char *body,
              const char *reply)
{
  Rng *rng = &p->rng;
  Time written = local_time (MIN (day, gen->today - 1), rng_range (rng, 480, 1020));
  Time now = (Time) gen->today * 86400 + 12 * 3600;
  Uuid first, second;

  if (author == NO_STAFF || recipient == NO_STAFF)
    return;

  write_note (gen, p, plan, kind, author, recipient, NULL, body, written, &first);
  if (reply != NULL && rng_chance (rng, 0.6))
    {
      Time answered = written + 60 * rng_range (rng, 20, 1500);

      write_note (gen, p, plan, "message", recipient, author, &first, reply, MIN (answered, now),
                  &second);
    }
}

static void
write_notes (Gen        *gen,
             Patient    *p,
             const Uuid *plan,
             Day         start)
{
  Rng *rng = &p->rng;
  guint coordinator = p->coordinator;
  Day recent = day_max (start, gen->today - rng_range (rng, 1, 60));
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  guint n = 0;

  if (p->last_discharge != NO_DAY)
    {
      g_autofree char *reason = g_ascii_strdown (p->last_discharge_reason, -1);
      g_autofree char *body = g_strdup_printf (
        "Discharged %s after a %d-day stay for %s. Needs a follow-up visit within 7 days; "
        "medications changed during the stay.",
        g_str_equal (p->last_discharge_to, "snf") ? "to a skilled nursing facility" : "home",
        p->last_stay_days, reason);

      write_thread (gen, p, plan, "handoff", pick_staff (rng, ORG_HOSPITAL, NURSE), coordinator,
                    p->last_discharge, body,
                    "Received. Called the patient and booked the follow-up; pharmacy will "
                    "reconcile medications.");
      n++;
    }

  if (p->has[COND_DIABETES] && p->n_seen[OBS_A1C] > 0 && p->last[OBS_A1C] > 9)
    {
      g_autofree char *body = NULL;

      format_number (number, sizeof number, p->last[OBS_A1C], 1);
      body = g_strdup_printf ("Latest HbA1c is %s%%. Patient asks about the diabetes education "
                              "class. OK to refer?", number);
      write_thread (gen, p, plan, "message", p->nurse, p->pcp, p->last_day[OBS_A1C] + 1, body,
                    "Yes, please refer, and book a 3-month follow-up.");
      n++;
    }

  if (p->has[COND_DEPRESSION] && p->n_seen[OBS_PHQ9] > 0 && p->last[OBS_PHQ9] >= 15)
    {
      g_autofree char *body = NULL;

      format_number (number, sizeof number, p->last[OBS_PHQ9], 0);
      body = g_strdup_printf ("PHQ-9 was %s at the last visit. Safety screen negative. Suggest "
                              "visits every 2 weeks for now.", number);
      write_thread (gen, p, plan, "message", p->therapist, p->pcp, p->last_day[OBS_PHQ9], body,
                    "Agreed. I will see the patient next month as well.");
      n++;
    }

  if (n < 2 && rng_chance (rng, 0.3))
    {
      write_thread (gen, p, plan, "message", coordinator, p->social_worker, recent,
                    "Patient has no ride to specialist appointments. Can you check eligibility for "
                    "non-emergency medical transportation?",
                    "Done. Rides are set up for the next two appointments.");
      n++;
    }

  if (n < 2 && p->n_active_meds >= 4 && rng_chance (rng, 0.3))
    {
      write_thread (gen, p, plan, "message", p->pharmacist, p->pcp, recent,
                    "Refill history shows gaps of more than 30 days for maintenance medications. "
                    "Will offer 90-day supplies and synchronized refills.",
                    "Thanks, please do.");
      n++;
    }

  if (n == 0)
    write_thread (gen, p, plan, "handoff", p->pcp, coordinator, recent,
                  "Please review the care plan goals with the patient at the next visit and update "
                  "the shared plan.", NULL);
}

static const char *
plan_title (const Patient *p)
{
  const gboolean *has = p->has;

  if (has[COND_HEART_FAILURE])
    return "Heart failure care plan";
  if (has[COND_COPD])
    return "COPD care plan";
  if (has[COND_DIABETES])
    return has[COND_HYPERTENSION] ? "Diabetes and hypertension care plan" : "Diabetes care plan";
  return "Transitional care plan";
}

static void
write_care_plan (Gen     *gen,
                 Patient *p,
                 Day      start)
{
  Rng *rng = &p->rng;
  guint author = rng_chance (rng, 0.6) ? p->pcp : p->coordinator;
  g_autoptr(GString) addresses = g_string_new (NULL);
  g_autoptr(GString) description = g_string_new ("Shared plan for ");
  const char *names[N_CONDITIONS];
  double r = rng_double (rng);
  guint n = 0;
  Uuid id;

  for (guint c = 0; c < N_CONDITIONS; c++)
    {
      if (!p->has[c] || c == COND_OBESITY)
        continue;
      if (addresses->len > 0)
        g_string_append_c (addresses, ' ');
      g_string_append (addresses, p->condition_ids[c].str);
      names[n++] = condition_defs[c].short_name;
    }

  /* "Shared plan for heart failure, hypertension and COPD." */
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (description, i + 1 == n ? " and " : ", ");
      g_string_append (description, names[i]);
    }
  if (n == 0)
    g_string_append (description, "the transition home from hospital");
  g_string_append_c (description, '.');

  rng_uuid (rng, &id);
  set (gen, "patient_id", p->id.str);
  set (gen, "title", plan_title (p));
  set (gen, "description", description->str);
  set (gen, "status", r < 0.04 ? "draft" : r < 0.08 ? "on-hold" : "active");
  set (gen, "intent", "plan");
  set_date (gen, "period_start", start);
  set_date (gen, "period_end", start + 365);
  set_staff (gen, "author_id", author);
  if (addresses->len > 0)
    set (gen, "addresses", addresses->str);
  put (gen, "care_plans", &id);

  write_goals (gen, p, &id, start, author);
  write_tasks (gen, p, &id, start, author);
  write_notes (gen, p, &id, start);
}

/* One patient --------------------------------------------------------------- */

static void
generate_patient (Gen   *gen,
                  guint  number)
{
  Patient patient = { 0 };
  Patient *p = &patient;
  Day plan_start = NO_DAY;
  gboolean high_risk;

  rng_init (&p->rng, gen->seed, STREAM_PATIENTS + (guint64) number);
  p->number = number;
  p->encounters = gen->encounters;
  g_array_set_size (p->encounters, 0);

  /* Decide the story first, then write it in an order the foreign keys accept. */
  choose_demographics (gen, p);
  choose_conditions (gen, p);
  choose_trends (p);
  write_patient (gen, p);
  schedule_encounters (gen, p);

  write_conditions (gen, p);
  write_allergies (gen, p);
  write_medications (gen, p);
  write_encounters (gen, p);
  write_immunizations (gen, p);

  high_risk = p->age >= 18 && is_high_risk (p);
  if (high_risk)
    {
      Day earliest = MAX (p->first_day, gen->today - 700);

      plan_start = earliest + rng_range (&p->rng, 0, MAX (0, gen->today - 30 - earliest));
      if (p->last_discharge != NO_DAY && p->last_discharge < plan_start)
        plan_start = p->last_discharge;
      plan_start = MIN (plan_start, gen->today - 1);
    }

  write_care_team (gen, p, plan_start);
  if (high_risk)
    write_care_plan (gen, p, plan_start);
  write_referrals (gen, p, high_risk);
}

/* Public API --------------------------------------------------------------- */

void
care_generator_options_init (CareGeneratorOptions *opts)
{
  g_return_if_fail (opts != NULL);

  opts->n_patients = 2000;
  opts->seed = 1;
  opts->as_of = NULL;
}

gboolean
care_generator_run (CareDb                      *db,
                    const CareGeneratorOptions  *opts,
                    CareGeneratorProgress        progress,
                    gpointer                     user_data,
                    GError                     **error)
{
  g_autoptr(CareFields) fields = NULL;
  g_autoptr(GArray) encounters = NULL;
  CareGeneratorOptions defaults;
  Gen gen = { 0 };
  Rng rng;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (opts == NULL)
    {
      care_generator_options_init (&defaults);
      opts = &defaults;
    }

  if (opts->n_patients > MAX_PATIENTS)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                   "At most %u patients can be generated", MAX_PATIENTS);
      return FALSE;
    }
  if (!parse_as_of (opts->as_of, &gen.today, error))
    return FALSE;

  fields = care_fields_new ();
  encounters = g_array_new (FALSE, FALSE, sizeof (Encounter));

  gen.db = db;
  gen.fields = fields;
  gen.seed = opts->seed;
  gen.history_start = gen.today - HISTORY_DAYS;
  gen.encounters = encounters;

  rng_init (&rng, gen.seed, STREAM_IDENTIFIERS);
  gen.mrn_offset = rng_below (&rng, 9000000);
  gen.member_offset = rng_below (&rng, 900000000);

  /* created_at and updated_at are "now" to the store: make that as_of, noon UTC,
   * but never later than the real now (a clinic made this morning would otherwise
   * be dated hours ahead, and other machines would refuse its clock). */
  care_db_set_clock_override (db, MIN (((gint64) gen.today * 86400 + 12 * 3600) * 1000,
                                       g_get_real_time () / 1000 - 1000));

  if (!care_db_begin (db, &gen.error))
    goto failed;

  write_organizations_and_staff (&gen);

  for (guint i = 0; i < opts->n_patients && gen.error == NULL; i++)
    {
      generate_patient (&gen, i);
      if (gen.error != NULL)
        break;

      if ((i + 1) % BATCH_SIZE == 0 && i + 1 < opts->n_patients &&
          (!care_db_commit (db, &gen.error) || !care_db_begin (db, &gen.error)))
        break;

      if (progress != NULL && ((i + 1) % PROGRESS_EVERY == 0 || i + 1 == opts->n_patients))
        progress (i + 1, opts->n_patients, user_data);
    }

  if (gen.error != NULL || !care_db_commit (db, &gen.error))
    goto failed;

  care_db_set_clock_override (db, 0);
  g_debug ("Generated %u synthetic patients", opts->n_patients);

  return TRUE;

failed:
  care_db_rollback (db);
  care_db_set_clock_override (db, 0);
  g_propagate_error (error, gen.error);

  return FALSE;
}

/* The long-history patient for the dashboard benchmark */

static gboolean
put_record (CareDb      *db,
            const char  *table,
            CareFields  *fields,
            char       **out_id,
            GError     **error)
{
  gboolean ok = care_db_put (db, "system:generator", table, NULL, fields, out_id, error);

  care_fields_clear (fields);
  return ok;
}

typedef struct
{
  const char *loinc;
  const char *display;
  const char *unit;
  double      value;
  const char *category;
} HistoryObservation;

gboolean
care_generator_add_long_history (CareDb      *db,
                                 const char  *as_of,
                                 char       **out_id,
                                 GError     **error)
{
  static const struct { const char *code; const char *display; const char *onset; } problems[] = {
    { "44054006", "Type 2 diabetes mellitus", "2014-03-02" },
    { "59621000", "Essential hypertension", "2012-06-11" },
    { "55822004", "Hyperlipidemia", "2013-01-20" },
    { "35489007", "Depressive disorder", "2019-09-14" },
    { "709044004", "Chronic kidney disease", "2021-02-19" },
  };
  static const struct { const char *drug; const char *rxnorm; const char *dose; const char *frequency; } drugs[] = {
    { "metformin hydrochloride 500 MG Oral Tablet", "861007", "500 mg", "twice daily with meals" },
    { "lisinopril 10 MG Oral Tablet", "314076", "10 mg", "once daily" },
    { "atorvastatin 40 MG Oral Tablet", "617311", "40 mg", "once daily at bedtime" },
    { "sertraline 50 MG Oral Tablet", "312940", "50 mg", "once daily" },
  };
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GDateTime) end = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *today = as_of ? g_strdup (as_of) : care_text_today ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  int y, m, d;

  if (sscanf (today, "%d-%d-%d", &y, &m, &d) != 3)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID, "as_of is not a date: %s", today);
      return FALSE;
    }
  end = g_date_time_new_utc (y, m, d, 10, 0, 0);

  if (!care_db_begin (db, error))
    return FALSE;

  care_fields_set (fields, "mrn", "LH-0000001");
  care_fields_set (fields, "given_name", "Harriet");
  care_fields_set (fields, "family_name", "Longhistory");
  care_fields_set (fields, "birth_date", "1958-04-17");
  care_fields_set (fields, "sex", "female");
  care_fields_set (fields, "preferred_language", "en");
  care_fields_set (fields, "phone", "541-555-0199");
  if (!put_record (db, "patients", fields, &patient_id, error))
    goto failed;

  care_fields_set (fields, "patient_id", patient_id);
  care_fields_set (fields, "code_system", "http://www.nlm.nih.gov/research/umls/rxnorm");
  care_fields_set (fields, "code", "7980");
  care_fields_set (fields, "substance", "Penicillin G");
  care_fields_set (fields, "category", "medication");
  care_fields_set (fields, "criticality", "high");
  care_fields_set (fields, "reaction", "hives");
  care_fields_set (fields, "severity", "moderate");
  if (!put_record (db, "allergies", fields, NULL, error))
    goto failed;

  for (guint i = 0; i < G_N_ELEMENTS (problems); i++)
    {
      care_fields_set (fields, "patient_id", patient_id);
      care_fields_set (fields, "code_system", "http://snomed.info/sct");
      care_fields_set (fields, "code", problems[i].code);
      care_fields_set (fields, "display", problems[i].display);
      care_fields_set (fields, "onset_date", problems[i].onset);
      if (!put_record (db, "conditions", fields, NULL, error))
        goto failed;
    }

  for (guint i = 0; i < G_N_ELEMENTS (drugs); i++)
    {
      g_autofree char *order_id = NULL;

      care_fields_set (fields, "patient_id", patient_id);
      care_fields_set (fields, "drug", drugs[i].drug);
      care_fields_set (fields, "rxnorm", drugs[i].rxnorm);
      care_fields_set (fields, "dose", drugs[i].dose);
      care_fields_set (fields, "route", "oral");
      care_fields_set (fields, "frequency", drugs[i].frequency);
      care_fields_set (fields, "start_date", "2016-01-04");
      if (!put_record (db, "medication_orders", fields, &order_id, error))
        goto failed;

      /* A 90-day fill every quarter for ten years. */
      for (int q = 0; q < 40; q++)
        {
          g_autoptr(GDateTime) when = g_date_time_add_days (end, -q * 91 - (int) i);
          g_autofree char *at = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");

          care_fields_set (fields, "patient_id", patient_id);
          care_fields_set (fields, "order_id", order_id);
          care_fields_set (fields, "drug", drugs[i].drug);
          care_fields_set (fields, "days_supply", "90");
          care_fields_set (fields, "handed_over_at", at);
          if (!put_record (db, "medication_dispenses", fields, NULL, error))
            goto failed;
        }
    }

  /* 200 encounters over ten years, newest last; each office visit records its
   * vitals, and labs and screening follow their usual rhythm. */
  for (int e = 0; e < 200; e++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_days (end, -(199 - e) * 18 - 1);
      g_autofree char *at = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
      g_autofree char *encounter_id = NULL;
      const char *klass = e % 40 == 7 ? "EMER" : e == 120 || e == 185 ? "IMP" : e % 5 == 3 ? "VR" : "AMB";
      HistoryObservation obs[8];
      guint n_obs = 0;

      care_fields_set (fields, "patient_id", patient_id);
      care_fields_set (fields, "class", klass);
      care_fields_set (fields, "start_at", at);
      if (g_str_equal (klass, "IMP"))
        {
          g_autoptr(GDateTime) out = g_date_time_add_days (when, 3);
          g_autofree char *out_at = g_date_time_format (out, "%Y-%m-%dT%H:%M:%SZ");

          care_fields_set (fields, "end_at", out_at);
          care_fields_set (fields, "discharge_disposition", "home");
        }
      care_fields_set (fields, "reason", "chronic care follow-up");
      if (!put_record (db, "encounters", fields, &encounter_id, error))
        goto failed;

      if (g_str_equal (klass, "VR"))
        continue;
      obs[n_obs++] = (HistoryObservation) { "8480-6", "Systolic blood pressure", "mm[Hg]", 128 + g_rand_int_range (rand, -12, 22), "vital-signs" };
      obs[n_obs++] = (HistoryObservation) { "8462-4", "Diastolic blood pressure", "mm[Hg]", 80 + g_rand_int_range (rand, -8, 12), "vital-signs" };
      obs[n_obs++] = (HistoryObservation) { "29463-7", "Body weight", "kg", 88 + g_rand_double_range (rand, -4, 4), "vital-signs" };
      obs[n_obs++] = (HistoryObservation) { "39156-5", "Body mass index", "kg/m2", 31 + g_rand_double_range (rand, -1.5, 1.5), "vital-signs" };
      obs[n_obs++] = (HistoryObservation) { "8302-2", "Body height", "cm", 168, "vital-signs" };
      obs[n_obs++] = (HistoryObservation) { "2339-0", "Glucose", "mg/dL", 140 + g_rand_int_range (rand, -30, 60), "laboratory" };
      if (e % 5 == 0)
        obs[n_obs++] = (HistoryObservation) { "4548-4", "Hemoglobin A1c", "%", 7.6 + g_rand_double_range (rand, -1.0, 1.6), "laboratory" };
      if (e % 10 == 1)
        obs[n_obs++] = (HistoryObservation) { "44261-6", "PHQ-9 total score", "{score}", g_rand_int_range (rand, 2, 16), "survey" };

      for (guint o = 0; o < n_obs; o++)
        {
          care_fields_set (fields, "patient_id", patient_id);
          care_fields_set (fields, "encounter_id", encounter_id);
          care_fields_set (fields, "category", obs[o].category);
          care_fields_set (fields, "loinc", obs[o].loinc);
          care_fields_set (fields, "display", obs[o].display);
          care_fields_set_double (fields, "value_num", round (obs[o].value * 10) / 10);
          care_fields_set (fields, "unit", obs[o].unit);
          care_fields_set (fields, "effective_at", at);
          if (!put_record (db, "observations", fields, NULL, error))
            goto failed;
        }
    }

  for (int year = 0; year < 10; year++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_days (end, -year * 365 - 60);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d");

      care_fields_set (fields, "patient_id", patient_id);
      care_fields_set (fields, "cvx", "150");
      care_fields_set (fields, "vaccine", "Influenza, injectable, quadrivalent, preservative free");
      care_fields_set (fields, "occurrence_date", date);
      if (!put_record (db, "immunizations", fields, NULL, error))
        goto failed;
    }

  if (!care_db_commit (db, error))
    goto failed;

  if (out_id != NULL)
    *out_id = g_steal_pointer (&patient_id);
  return TRUE;

failed:
  care_db_rollback (db);
  return FALSE;
}
