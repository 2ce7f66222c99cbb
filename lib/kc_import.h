/*
 * kc_import.h - reading the published datasets (kc-import) and canonical records
 * (included by kc.h; do not include it directly).
 */
#ifndef KC_IMPORT_H
#define KC_IMPORT_H

#endif /* KC_IMPORT_H */
