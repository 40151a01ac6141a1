/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-names"

#include "config.h"

#include "care-names.h"

/*
 * Name pools for the demo clinic. European-heritage given names follow the
 * fashions of four birth cohorts so that a 90-year-old is not called Aiden; the
 * other pools have an older and a younger half where naming changed. A few
 * names carry accents, apostrophes or hyphens on purpose: search, sorting and
 * the UI have to cope with them.
 */

#define NAME_LIST(var, ...) \
  static const char * const var##_names[] = { __VA_ARGS__ }; \
  static const CareNameList var = { var##_names, G_N_ELEMENTS (var##_names) };

/* European heritage, born before 1955. */
NAME_LIST (european_female_0,
  "Dorothy", "Barbara", "Shirley", "Betty", "Patricia", "Joan", "Carol", "Margaret",
  "Helen", "Donna", "Judith", "Marilyn", "Beverly", "Janet", "Nancy", "Virginia",
  "Phyllis", "Gloria", "Norma", "Marlene", "Lorraine", "Arlene", "Evelyn", "Ruth",
  "Doris", "Mildred", "Jean", "Louise", "Irene", "Geneviève")
NAME_LIST (european_male_0,
  "Robert", "James", "John", "William", "Richard", "Donald", "Gerald", "Harold",
  "Ronald", "Kenneth", "Larry", "Dale", "Wayne", "Roger", "Dennis", "Gary", "Jerry",
  "Earl", "Ralph", "Eugene", "Clarence", "Walter", "Leroy", "Howard", "Norman",
  "Lloyd", "Vernon", "Floyd", "Orville", "Lyle")

/* 1955 to 1984. */
NAME_LIST (european_female_1,
  "Linda", "Susan", "Karen", "Lisa", "Kimberly", "Michelle", "Julie", "Tammy",
  "Laura", "Angela", "Jennifer", "Amy", "Heather", "Melissa", "Stephanie", "Renée",
  "Denise", "Cheryl", "Dawn", "Kristin", "Tracy", "Wendy", "Rhonda", "Shannon",
  "Colleen", "Tina", "Sheila", "Brenda", "Mary Beth", "Noëlle")
NAME_LIST (european_male_1,
  "Michael", "David", "Mark", "Steven", "Scott", "Brian", "Jeffrey", "Timothy",
  "Todd", "Kevin", "Jason", "Christopher", "Shawn", "Troy", "Darren", "Travis",
  "Chad", "Rodney", "Craig", "Brent", "Curtis", "Randy", "André", "René", "Eric",
  "Kurt", "Jon Paul", "Dwayne")

/* 1985 to 2004. */
NAME_LIST (european_female_2,
  "Jessica", "Ashley", "Amanda", "Sarah", "Brittany", "Megan", "Emily", "Hannah",
  "Kayla", "Samantha", "Taylor", "Alyssa", "Madison", "Rachel", "Lauren", "Courtney",
  "Chelsea", "Morgan", "Haley", "Kelsey", "Abigail", "Chloé", "Zoë", "Danielle",
  "Caitlyn", "Shelby", "Anne-Marie", "Brianna")
NAME_LIST (european_male_2,
  "Joshua", "Tyler", "Brandon", "Austin", "Cody", "Dustin", "Kyle", "Jacob",
  "Zachary", "Nathan", "Dylan", "Logan", "Hunter", "Colton", "Ethan", "Caleb",
  "Trevor", "Garrett", "Derek", "Bryce", "Jordan", "Chase", "Jean-Luc", "Seth")

/* 2005 and later. */
NAME_LIST (european_female_3,
  "Emma", "Olivia", "Ava", "Isabella", "Harper", "Avery", "Evelyn", "Aria", "Lily",
  "Nora", "Hazel", "Aurora", "Willow", "Ellie", "Piper", "Scarlett", "Zoë", "Chloé",
  "Addison", "Brooklyn", "Paisley", "Riley", "Juniper", "Everly", "Noémie", "Maëlle")
NAME_LIST (european_male_3,
  "Liam", "Noah", "Oliver", "Elijah", "Henry", "Lucas", "Levi", "Wyatt", "Jackson",
  "Owen", "Silas", "Hudson", "Jasper", "Theodore", "Easton", "Bennett", "Rowan",
  "Ezra", "Asher", "Weston", "Beckett", "Cooper", "Élie", "Søren")

NAME_LIST (european_family,
  "Smith", "Johnson", "Miller", "Anderson", "Wilson", "Thompson", "Nelson", "Peterson",
  "Olson", "Larson", "Hansen", "Jensen", "Carlson", "Johansen", "Lindqvist", "Schmidt",
  "Mueller", "Schneider", "Fischer", "Becker", "Wagner", "Hoffman", "Schultz", "Koch",
  "Zimmerman", "Brown", "Davis", "Clark", "Lewis", "Walker", "Hall", "Allen", "Young",
  "King", "Wright", "Scott", "Green", "Baker", "Adams", "Hill", "Campbell", "Mitchell",
  "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards",
  "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Reed", "Bailey",
  "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks",
  "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster",
  "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "O'Brien", "O'Connor",
  "McAllister", "Fitzgerald", "Gallagher", "MacDonald", "Dubé", "Côté", "Bélanger",
  "Lévesque", "Gagné", "Müller", "Schröder", "Ødegaard", "Van Horn", "De Vries",
  "Hollingsworth", "Pruitt", "Stroud", "Whitaker", "Yoder", "Kauffman")

/* Hispanic or Latino heritage, born before 1975 and from 1975 on. */
NAME_LIST (hispanic_female_0,
  "María", "Guadalupe", "Rosa", "Carmen", "Josefina", "Margarita", "Leticia", "Socorro",
  "Dolores", "Teresa", "Yolanda", "Graciela", "Irma", "Martha", "Elena", "Consuelo",
  "Araceli", "Lourdes", "Verónica", "Patricia", "Inés", "Ángela", "Juana", "Esperanza",
  "María Elena", "Ofelia")
NAME_LIST (hispanic_male_0,
  "José", "Juan", "Jesús", "Francisco", "Antonio", "Manuel", "Pedro", "Ramón", "Raúl",
  "Héctor", "Rafael", "Salvador", "Roberto", "Alfredo", "Jorge", "Arturo", "Guillermo",
  "Armando", "Ignacio", "Rubén", "Efraín", "Joaquín", "Ángel", "Óscar", "José Luis",
  "Juan Carlos")
NAME_LIST (hispanic_female_1,
  "Sofía", "Valentina", "Camila", "Ximena", "Daniela", "Mariana", "Lucía", "Isabella",
  "Natalia", "Valeria", "Fernanda", "Andrea", "Jimena", "Renata", "Yesenia", "Alondra",
  "Guadalupe", "Itzel", "Maricela", "Karina", "Mónica", "Noemí", "Abril", "María José")
NAME_LIST (hispanic_male_1,
  "Mateo", "Santiago", "Sebastián", "Diego", "Alejandro", "Daniel", "Adrián", "Emiliano",
  "Leonardo", "Julián", "Andrés", "Martín", "Tomás", "Luis", "Carlos", "Miguel", "Iván",
  "Gael", "Christian", "Javier", "Nicolás", "Jesús", "Joel", "Édgar")
NAME_LIST (hispanic_family,
  "García", "Hernández", "Martínez", "López", "González", "Rodríguez", "Pérez",
  "Sánchez", "Ramírez", "Flores", "Gómez", "Díaz", "Reyes", "Cruz", "Morales", "Ortiz",
  "Gutiérrez", "Chávez", "Ramos", "Ruiz", "Mendoza", "Vásquez", "Castillo", "Jiménez",
  "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Vargas", "Peña", "Muñoz", "Rojas",
  "Núñez", "Salazar", "Ibarra", "Zúñiga", "Ávila", "Cervantes", "Domínguez", "Estrada",
  "Guzmán", "Méndez", "Ochoa", "Villaseñor", "Sandoval", "Barajas", "Orozco", "De la Cruz",
  "Del Río")

/* Russian- and Ukrainian-speaking families (the -ov names take -ova for women). */
NAME_LIST (slavic_female,
  "Natalia", "Olga", "Svetlana", "Irina", "Tatiana", "Yelena", "Anastasia", "Lyudmila",
  "Oksana", "Galina", "Vera", "Nadezhda", "Marina", "Yulia", "Anna", "Daria")
NAME_LIST (slavic_male,
  "Sergei", "Vladimir", "Nikolai", "Aleksandr", "Dmitri", "Ivan", "Pavel", "Andrei",
  "Yuri", "Mikhail", "Viktor", "Oleg", "Bogdan", "Taras", "Maksim", "Artem")
NAME_LIST (slavic_family,
  "Ivanov", "Petrov", "Kovalenko", "Shevchenko", "Bondarenko", "Melnyk", "Kuznetsov",
  "Popov", "Sokolov", "Tkachenko", "Boyko", "Moroz", "Kravchenko", "Lysenko", "Volkov",
  "Savchuk")

NAME_LIST (vietnamese_female,
  "Linh", "Mai", "Lan", "Huong", "Thao", "Ngoc", "Trang", "Hoa", "Anh", "Thu", "Hanh",
  "Phuong")
NAME_LIST (vietnamese_male,
  "Minh", "Tuan", "Hung", "Duc", "Quang", "Khoa", "Long", "Huy", "Thanh", "Nam", "Bao",
  "Son")
NAME_LIST (vietnamese_family,
  "Nguyen", "Tran", "Le", "Pham", "Huynh", "Hoang", "Phan", "Vu", "Vo", "Dang", "Bui",
  "Do")

const CareNameList *
care_names_given (CareHeritage heritage,
                  gboolean     female,
                  int          birth_year)
{
  switch (heritage)
    {
    case CARE_HERITAGE_HISPANIC:
      if (birth_year < 1975)
        return female ? &hispanic_female_0 : &hispanic_male_0;
      return female ? &hispanic_female_1 : &hispanic_male_1;

    case CARE_HERITAGE_SLAVIC:
      return female ? &slavic_female : &slavic_male;

    case CARE_HERITAGE_VIETNAMESE:
      return female ? &vietnamese_female : &vietnamese_male;

    case CARE_HERITAGE_EUROPEAN:
    case CARE_N_HERITAGES:
    default:
      if (birth_year < 1955)
        return female ? &european_female_0 : &european_male_0;
      if (birth_year < 1985)
        return female ? &european_female_1 : &european_male_1;
      if (birth_year < 2005)
        return female ? &european_female_2 : &european_male_2;
      return female ? &european_female_3 : &european_male_3;
    }
}

const CareNameList *
care_names_family (CareHeritage heritage)
{
  switch (heritage)
    {
    case CARE_HERITAGE_HISPANIC:
      return &hispanic_family;
    case CARE_HERITAGE_SLAVIC:
      return &slavic_family;
    case CARE_HERITAGE_VIETNAMESE:
      return &vietnamese_family;
    case CARE_HERITAGE_EUROPEAN:
    case CARE_N_HERITAGES:
    default:
      return &european_family;
    }
}
