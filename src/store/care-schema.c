/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-schema"

#include "config.h"

#include "care-schema.h"

/*
 * The schema of a Caremesh database. See docs/data-model.md.
 *
 * Every replicated table has:
 *   seq         INTEGER PRIMARY KEY   local row number, never leaves this machine
 *   id          TEXT UNIQUE NOT NULL  UUID made where the record was created
 *   created_at  INTEGER               milliseconds since the epoch
 *   updated_at  INTEGER               milliseconds since the epoch
 *   device_id   TEXT                  device that last wrote the row
 * Codes and statuses follow FHIR R4 value sets (listed beside each column).
 * Dates are ISO 8601 text: 'YYYY-MM-DD' for dates, 'YYYY-MM-DDTHH:MM:SSZ' for times.
 */

#define COMMON \
  "seq INTEGER PRIMARY KEY, " \
  "id TEXT NOT NULL UNIQUE, " \
  "created_at INTEGER NOT NULL, " \
  "updated_at INTEGER NOT NULL, " \
  "device_id TEXT NOT NULL, "

static const char migration_1[] =
  /* Local-only bookkeeping: device id, clock, settings that never replicate. */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"

  "CREATE TABLE organizations (" COMMON
  "  name TEXT NOT NULL,"
  "  kind TEXT NOT NULL DEFAULT 'clinic',"      /* clinic | pharmacy | hospital | cco | specialty | community */
  "  phone TEXT, address_line TEXT, city TEXT, state TEXT, postal_code TEXT);"

  "CREATE TABLE practitioners (" COMMON
  "  given_name TEXT NOT NULL, family_name TEXT NOT NULL,"
  "  discipline TEXT NOT NULL,"                 /* physician | nurse-practitioner | nurse | pharmacist |
                                                   behavioral-health | social-worker | care-coordinator | front-desk */
  "  credentials TEXT,"                         /* MD, DO, NP, RN, PharmD, LCSW, ... */
  "  npi TEXT, organization_id TEXT REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,"
  "  phone TEXT, email TEXT, active INTEGER NOT NULL DEFAULT 1);"

  "CREATE TABLE patients (" COMMON
  "  mrn TEXT NOT NULL,"
  "  given_name TEXT NOT NULL, middle_name TEXT, family_name TEXT NOT NULL,"
  "  birth_date TEXT NOT NULL,"
  "  sex TEXT NOT NULL DEFAULT 'unknown',"      /* administrative gender: male | female | other | unknown */
  "  gender_identity TEXT,"
  "  phone TEXT, address_line TEXT, city TEXT, state TEXT, postal_code TEXT,"
  "  preferred_language TEXT NOT NULL DEFAULT 'en',"  /* BCP 47: en | es | ... */
  "  interpreter_needed INTEGER NOT NULL DEFAULT 0,"
  "  cco_member_id TEXT,"
  "  preferred_pharmacy_id TEXT REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,"
  "  primary_organization_id TEXT REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,"
  "  primary_practitioner_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  deceased_date TEXT,"
  "  active INTEGER NOT NULL DEFAULT 1,"
  "  sort_key TEXT NOT NULL DEFAULT '');"      /* local: folded 'family given', kept by the store */
  "CREATE INDEX patients_sort ON patients (sort_key, seq);"
  "CREATE INDEX patients_birth_date ON patients (birth_date);"
  "CREATE INDEX patients_mrn ON patients (mrn);"

  "CREATE TABLE care_team_members (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  practitioner_id TEXT NOT NULL REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  role TEXT,"                                /* e.g. primary care provider, care coordinator */
  "  status TEXT NOT NULL DEFAULT 'active',"    /* proposed | active | suspended | inactive | entered-in-error */
  "  start_date TEXT, end_date TEXT);"
  "CREATE INDEX care_team_members_patient ON care_team_members (patient_id);"

  "CREATE TABLE conditions (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  code_system TEXT NOT NULL,"                /* http://snomed.info/sct | http://hl7.org/fhir/sid/icd-10-cm */
  "  code TEXT NOT NULL, display TEXT NOT NULL,"
  "  clinical_status TEXT NOT NULL DEFAULT 'active',"       /* active | recurrence | relapse | inactive | remission | resolved */
  "  verification_status TEXT NOT NULL DEFAULT 'confirmed',"/* unconfirmed | provisional | differential | confirmed | refuted | entered-in-error */
  "  category TEXT NOT NULL DEFAULT 'problem-list-item',"   /* problem-list-item | encounter-diagnosis */
  "  onset_date TEXT, abatement_date TEXT, recorded_date TEXT,"
  "  asserter_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED);"
  "CREATE INDEX conditions_patient ON conditions (patient_id);"

  "CREATE TABLE allergies (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  code_system TEXT, code TEXT,"              /* RxNorm ingredient or SNOMED substance; 716186003 = no known allergy */
  "  substance TEXT NOT NULL,"
  "  type TEXT NOT NULL DEFAULT 'allergy',"     /* allergy | intolerance */
  "  category TEXT,"                            /* food | medication | environment | biologic */
  "  criticality TEXT,"                         /* low | high | unable-to-assess */
  "  clinical_status TEXT NOT NULL DEFAULT 'active',"       /* active | inactive | resolved */
  "  verification_status TEXT NOT NULL DEFAULT 'confirmed',"/* unconfirmed | confirmed | refuted | entered-in-error */
  "  reaction TEXT,"                            /* manifestation, e.g. hives, anaphylaxis */
  "  severity TEXT,"                            /* mild | moderate | severe */
  "  recorded_date TEXT, recorder_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED);"
  "CREATE INDEX allergies_patient ON allergies (patient_id);"

  "CREATE TABLE encounters (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  class TEXT NOT NULL,"                      /* v3 ActCode: AMB | VR (telehealth) | HH (home) | EMER | IMP | OBSENC */
  "  type TEXT,"                                /* office visit, well-child visit, ... */
  "  status TEXT NOT NULL DEFAULT 'finished',"  /* planned | arrived | in-progress | finished | cancelled | entered-in-error */
  "  start_at TEXT NOT NULL, end_at TEXT,"
  "  organization_id TEXT REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,"
  "  practitioner_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  reason TEXT, reason_code TEXT,"
  "  admit_source TEXT, discharge_disposition TEXT);"   /* inpatient stays: home | snf | ... */
  "CREATE INDEX encounters_patient ON encounters (patient_id, start_at);"

  "CREATE TABLE medication_orders (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  drug TEXT NOT NULL, rxnorm TEXT,"
  "  dose TEXT, route TEXT, frequency TEXT,"
  "  quantity REAL, refills INTEGER,"
  "  status TEXT NOT NULL DEFAULT 'active',"    /* active | on-hold | cancelled | completed | entered-in-error | stopped | draft | unknown */
  "  intent TEXT NOT NULL DEFAULT 'order',"
  "  prescriber_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  reason_condition_id TEXT REFERENCES conditions(id) DEFERRABLE INITIALLY DEFERRED,"
  "  authored_on TEXT, start_date TEXT, end_date TEXT);"
  "CREATE INDEX medication_orders_patient ON medication_orders (patient_id);"

  "CREATE TABLE medication_dispenses (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  order_id TEXT REFERENCES medication_orders(id) DEFERRABLE INITIALLY DEFERRED,"
  "  drug TEXT NOT NULL, rxnorm TEXT,"
  "  status TEXT NOT NULL DEFAULT 'completed'," /* preparation | in-progress | cancelled | on-hold | completed | entered-in-error | stopped | declined */
  "  pharmacy_id TEXT REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,"
  "  pharmacist_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  quantity REAL, days_supply INTEGER, handed_over_at TEXT);"
  "CREATE INDEX medication_dispenses_patient ON medication_dispenses (patient_id);"

  "CREATE TABLE observations (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  encounter_id TEXT REFERENCES encounters(id) DEFERRABLE INITIALLY DEFERRED,"
  "  category TEXT NOT NULL DEFAULT 'vital-signs'," /* vital-signs | laboratory | survey | social-history | ... */
  "  loinc TEXT NOT NULL, display TEXT NOT NULL,"
  "  value_num REAL, value_text TEXT, unit TEXT,"
  "  status TEXT NOT NULL DEFAULT 'final',"     /* registered | preliminary | final | amended | corrected | cancelled | entered-in-error */
  "  effective_at TEXT NOT NULL,"
  "  performer_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED);"
  "CREATE INDEX observations_patient ON observations (patient_id, loinc, effective_at);"

  "CREATE TABLE immunizations (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  cvx TEXT NOT NULL, vaccine TEXT NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'completed'," /* completed | entered-in-error | not-done */
  "  status_reason TEXT,"
  "  occurrence_date TEXT NOT NULL, lot_number TEXT, dose_number INTEGER,"
  "  performer_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED);"
  "CREATE INDEX immunizations_patient ON immunizations (patient_id);"

  "CREATE TABLE care_plans (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  title TEXT NOT NULL, description TEXT,"
  "  status TEXT NOT NULL DEFAULT 'active',"    /* draft | active | on-hold | revoked | completed | entered-in-error */
  "  intent TEXT NOT NULL DEFAULT 'plan',"      /* proposal | plan | order | option */
  "  period_start TEXT, period_end TEXT,"
  "  author_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  addresses TEXT);"                          /* condition ids, space separated */
  "CREATE INDEX care_plans_patient ON care_plans (patient_id);"

  "CREATE TABLE goals (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  care_plan_id TEXT REFERENCES care_plans(id) DEFERRABLE INITIALLY DEFERRED,"
  "  description TEXT NOT NULL,"
  "  measure_loinc TEXT,"                       /* what the target measures, e.g. 4548-4 */
  "  target_low REAL, target_high REAL, target_unit TEXT,"
  "  due_date TEXT,"
  "  lifecycle_status TEXT NOT NULL DEFAULT 'active',"  /* proposed | planned | accepted | active | on-hold | completed | cancelled | entered-in-error | rejected */
  "  achievement_status TEXT,"                  /* in-progress | improving | worsening | no-change | achieved | ... */
  "  expressed_by TEXT);"
  "CREATE INDEX goals_patient ON goals (patient_id);"

  "CREATE TABLE care_tasks (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  care_plan_id TEXT REFERENCES care_plans(id) DEFERRABLE INITIALLY DEFERRED,"
  "  description TEXT NOT NULL,"
  "  assignee_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  discipline TEXT,"                          /* as practitioners.discipline, when assigned to a discipline */
  "  due_date TEXT,"
  "  status TEXT NOT NULL DEFAULT 'requested'," /* requested | in-progress | completed | cancelled (FHIR Task subset) */
  "  priority TEXT NOT NULL DEFAULT 'routine'," /* routine | urgent | asap | stat */
  "  requester_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  completed_at TEXT);"
  "CREATE INDEX care_tasks_patient ON care_tasks (patient_id);"
  "CREATE INDEX care_tasks_assignee ON care_tasks (assignee_id, status, due_date);"

  "CREATE TABLE referrals (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  requester_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  to_service TEXT NOT NULL,"                 /* cardiology, behavioral health, ... */
  "  to_organization TEXT,"
  "  reason TEXT,"
  "  urgency TEXT NOT NULL DEFAULT 'routine',"  /* routine | urgent | asap | stat */
  "  status TEXT NOT NULL DEFAULT 'active',"    /* draft | active | on-hold | revoked | completed | entered-in-error */
  "  sent_date TEXT, due_date TEXT,"
  "  closed_date TEXT, outcome TEXT);"          /* closed loop: consult note or result arrived */
  "CREATE INDEX referrals_patient ON referrals (patient_id);"

  "CREATE TABLE notes (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  care_plan_id TEXT REFERENCES care_plans(id) DEFERRABLE INITIALLY DEFERRED,"
  "  kind TEXT NOT NULL DEFAULT 'progress',"    /* progress | handoff | message */
  "  author_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  recipient_id TEXT REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  in_reply_to TEXT,"
  "  body TEXT NOT NULL,"
  "  written_at TEXT NOT NULL);"
  "CREATE INDEX notes_patient ON notes (patient_id, written_at);"

  /* Local search index over patients (names folded and accent-free, ids and phone
   * digits). Kept by the store on every patient write; never replicated. */
  "CREATE VIRTUAL TABLE patient_search USING fts5 ("
  "  name, ids, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');";


/* Version 2: replication (docs/sync.md). Every record type gains a tombstone and a
 * map of its fields' winning changes; the change log, version vector and conflicts. */
static const char migration_2[] =
  "CREATE TABLE devices (idx INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE);"
  "CREATE TABLE changes ("
  "  seq INTEGER PRIMARY KEY,"               /* local order of arrival */
  "  origin INTEGER NOT NULL,"               /* devices.idx */
  "  counter INTEGER NOT NULL,"
  "  hlc INTEGER NOT NULL,"
  "  tbl TEXT NOT NULL, rid TEXT NOT NULL,"
  "  actor TEXT, seen INTEGER NOT NULL DEFAULT 0,"
  "  fields TEXT NOT NULL,"                  /* JSON: field -> {v: value, p: [[device, counter]...]} */
  "  UNIQUE (origin, counter));"
  "CREATE TABLE vector (origin INTEGER PRIMARY KEY, counter INTEGER NOT NULL);"
  "CREATE TABLE superseded (origin INTEGER NOT NULL, counter INTEGER NOT NULL, field TEXT NOT NULL,"
  "  PRIMARY KEY (origin, counter, field)) WITHOUT ROWID;"
  "CREATE TABLE conflicts ("
  "  tbl TEXT NOT NULL, rid TEXT NOT NULL, field TEXT NOT NULL,"
  "  origin INTEGER NOT NULL, counter INTEGER NOT NULL,"   /* the losing change, or the retire */
  "  kind TEXT NOT NULL DEFAULT 'value',"    /* value | retired-edit */
  "  value TEXT, hlc INTEGER NOT NULL, actor TEXT,"
  "  significant INTEGER NOT NULL DEFAULT 0,"
  "  patient_id TEXT,"
  "  PRIMARY KEY (tbl, rid, field, origin, counter)) WITHOUT ROWID;"
  "CREATE INDEX conflicts_patient ON conflicts (patient_id);"
  "CREATE TABLE parked (origin INTEGER NOT NULL, counter INTEGER NOT NULL, field TEXT NOT NULL,"
  "  PRIMARY KEY (origin, counter, field)) WITHOUT ROWID;"
  "ALTER TABLE organizations ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE organizations ADD COLUMN clocks TEXT;"
  "ALTER TABLE practitioners ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE practitioners ADD COLUMN clocks TEXT;"
  "ALTER TABLE patients ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE patients ADD COLUMN clocks TEXT;"
  "ALTER TABLE care_team_members ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE care_team_members ADD COLUMN clocks TEXT;"
  "ALTER TABLE conditions ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE conditions ADD COLUMN clocks TEXT;"
  "ALTER TABLE allergies ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE allergies ADD COLUMN clocks TEXT;"
  "ALTER TABLE encounters ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE encounters ADD COLUMN clocks TEXT;"
  "ALTER TABLE medication_orders ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE medication_orders ADD COLUMN clocks TEXT;"
  "ALTER TABLE medication_dispenses ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE medication_dispenses ADD COLUMN clocks TEXT;"
  "ALTER TABLE observations ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE observations ADD COLUMN clocks TEXT;"
  "ALTER TABLE immunizations ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE immunizations ADD COLUMN clocks TEXT;"
  "ALTER TABLE care_plans ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE care_plans ADD COLUMN clocks TEXT;"
  "ALTER TABLE goals ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE goals ADD COLUMN clocks TEXT;"
  "ALTER TABLE care_tasks ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE care_tasks ADD COLUMN clocks TEXT;"
  "ALTER TABLE referrals ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE referrals ADD COLUMN clocks TEXT;"
  "ALTER TABLE notes ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE notes ADD COLUMN clocks TEXT;";

/* Version 3: the name a patient prefers to be called. */
static const char migration_3[] =
  "ALTER TABLE patients ADD COLUMN preferred_name TEXT;";

/* Version 4: the same person registered twice while apart, merged by a person.
 * Links are undirected for convergence: every group of patients joined by active
 * links is one person, shown on the survivor named by the group's latest link. */
static const char migration_4[] =
  "CREATE TABLE patient_links (" COMMON
  "  surviving_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  merged_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  status TEXT NOT NULL DEFAULT 'active',"     /* active | undone */
  "  reason TEXT,"
  "  linked_at TEXT NOT NULL,"                   /* when the person merged them (ISO time) */
  "  retired INTEGER NOT NULL DEFAULT 0, clocks TEXT);"
  "CREATE INDEX patient_links_surviving ON patient_links (surviving_id);"
  "CREATE INDEX patient_links_merged ON patient_links (merged_id);";

/* Version 5: a record's first change keeps its text values in the record's row
 * rather than twice (docs/sync.md, "Where values live"); when such a value is
 * replaced, it moves here first. Local bookkeeping, never sent as such. */
static const char migration_5[] =
  "CREATE TABLE change_values (origin INTEGER NOT NULL, counter INTEGER NOT NULL, field TEXT NOT NULL,"
  "  value TEXT, PRIMARY KEY (origin, counter, field)) WITHOUT ROWID;";

/* Version 6: the machines this one syncs with (docs/sync-protocol.md). Local:
 * each machine keeps its own list. */
static const char migration_6[] =
  "CREATE TABLE peers ("
  "  device_id TEXT PRIMARY KEY,"          /* certificate fingerprint, base32 without dashes */
  "  name TEXT NOT NULL,"
  "  address TEXT,"                        /* host:port last used or given */
  "  paired_at INTEGER NOT NULL,"          /* ms since the epoch */
  "  revoked_at INTEGER,"                  /* unpaired: refused from then on */
  "  last_sync_at INTEGER,"                /* last sync that ended with the peer holding all of ours */
  "  last_attempt_at INTEGER,"
  "  last_error TEXT,"                     /* plain words, no patient data */
  "  acked_vector TEXT,"                   /* what the peer holds, as it last told us (JSON vector) */
  "  certificate TEXT"                     /* its certificate (PEM), once seen: keys for USB bundles */
  ") WITHOUT ROWID;";

/* Version 7: when each user last opened each patient, so the dashboard can show
 * what changed since (the local arrival order of changes, `changes.seq`).
 * Local: what one person has looked at on this machine never replicates. */
static const char migration_7[] =
  "CREATE TABLE patient_views ("
  "  actor TEXT NOT NULL,"
  "  patient_id TEXT NOT NULL,"
  "  seen_seq INTEGER NOT NULL,"           /* the last change this machine held then */
  "  seen_at INTEGER NOT NULL,"            /* ms since the epoch */
  "  PRIMARY KEY (actor, patient_id)) WITHOUT ROWID;";

/* Version 8: shared care plans (docs/data-model.md). A plan is revised by a new
 * version that names the one it replaces; interventions, the patient's social
 * needs and notifications are sets of records, so concurrent additions merge. */
static const char migration_8[] =
  "ALTER TABLE care_plans ADD COLUMN replaces_id TEXT REFERENCES care_plans(id) DEFERRABLE INITIALLY DEFERRED;"
  "ALTER TABLE care_plans ADD COLUMN patient_priorities TEXT;"  /* the patient's own words */
  "CREATE TABLE interventions (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  care_plan_id TEXT REFERENCES care_plans(id) DEFERRABLE INITIALLY DEFERRED,"
  "  goal_id TEXT REFERENCES goals(id) DEFERRABLE INITIALLY DEFERRED,"
  "  description TEXT NOT NULL,"
  "  discipline TEXT,"                          /* who delivers it, as practitioners.discipline */
  "  status TEXT NOT NULL DEFAULT 'in-progress',"  /* not-started | scheduled | in-progress | on-hold | completed | cancelled | stopped */
  "  retired INTEGER NOT NULL DEFAULT 0, clocks TEXT);"
  "CREATE INDEX interventions_patient ON interventions (patient_id);"
  "CREATE TABLE care_needs (" COMMON
  "  patient_id TEXT NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  care_plan_id TEXT REFERENCES care_plans(id) DEFERRABLE INITIALLY DEFERRED,"
  "  category TEXT NOT NULL,"                   /* transport | language | housing | food | cost | other */
  "  description TEXT,"
  "  status TEXT NOT NULL DEFAULT 'active',"    /* active | resolved */
  "  retired INTEGER NOT NULL DEFAULT 0, clocks TEXT);"
  "CREATE INDEX care_needs_patient ON care_needs (patient_id);"
  "CREATE TABLE notifications (" COMMON
  "  practitioner_id TEXT NOT NULL REFERENCES practitioners(id) DEFERRABLE INITIALLY DEFERRED,"
  "  patient_id TEXT REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,"
  "  note_id TEXT REFERENCES notes(id) DEFERRABLE INITIALLY DEFERRED,"
  "  kind TEXT NOT NULL DEFAULT 'mention',"     /* mention | handoff | assignment */
  "  sent_at TEXT NOT NULL,"
  "  read_at TEXT,"
  "  retired INTEGER NOT NULL DEFAULT 0, clocks TEXT);"
  "CREATE INDEX notifications_practitioner ON notifications (practitioner_id, read_at);"
  "CREATE INDEX care_tasks_open ON care_tasks (status, due_date);"
  "CREATE INDEX referrals_open ON referrals (status, due_date);";

/* Version 9: patients merged from other machines are added to the search index
 * when the store is next idle or searched, not in the middle of a sync's pages
 * (docs/architecture.md, "Search"). Local. */
static const char migration_9[] =
  "CREATE TABLE patient_search_pending (seq INTEGER PRIMARY KEY);";

static const char *migrations[] = {
  migration_1,
  migration_2,
  migration_3,
  migration_4,
  migration_5,
  migration_6,
  migration_7,
  migration_8,
  migration_9,
};

static const char * const record_types[] = {
  "organizations",
  "practitioners",
  "patients",
  "care_team_members",
  "conditions",
  "allergies",
  "encounters",
  "medication_orders",
  "medication_dispenses",
  "observations",
  "immunizations",
  "care_plans",
  "goals",
  "care_tasks",
  "referrals",
  "notes",
  "patient_links",
  "interventions",
  "care_needs",
  "notifications",
  NULL
};

guint
care_schema_n_migrations (void)
{
  return G_N_ELEMENTS (migrations);
}

const char *
care_schema_migration (guint version)
{
  g_return_val_if_fail (version >= 1 && version <= G_N_ELEMENTS (migrations), NULL);

  return migrations[version - 1];
}

const char * const *
care_schema_record_types (void)
{
  return record_types;
}
