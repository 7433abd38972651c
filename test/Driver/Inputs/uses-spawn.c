int spawn(void);
int main(void) { return spawn(); }
