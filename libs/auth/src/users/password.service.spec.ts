import { PasswordService } from './password.service';

describe('PasswordService', () => {
  it('verifies what it hashed through the limiter, and refuses the wrong password', async () => {
    const passwords = new PasswordService();
    const stored = await passwords.hash('correct horse battery staple');
    const checks = await Promise.all([
      passwords.verify(stored, 'correct horse battery staple'),
      passwords.verify(stored, 'wrong'),
      passwords.verifyDummy('anything'),
    ]);
    expect(checks).toEqual([true, false, false]);
  });
});
